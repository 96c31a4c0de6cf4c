package io.sparkgpt.pipeline.extract;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.parser.Parser;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeFilter;

/**
 * Main-content extraction: jsoup's parse plus a block classifier in the spirit of jusText and boilerpipe (text
 * density and link density per block, then context), which is cheaper than readability's scoring and does not fail
 * on pages without a single content candidate.
 *
 * <ol>
 *   <li>skip what is never content: scripts, styles, forms, nav/aside/footer, hidden elements, ARIA landmarks for
 *       navigation, and elements whose class or id says menu, sidebar, cookie, banner, share, comments...;</li>
 *   <li>cut the rest into blocks at block-level elements (p, div, li, td, h1-h6, pre...; {@code <br>} only breaks
 *       the line), counting each block's characters and the characters inside links;</li>
 *   <li>classify: good = long and few links; bad = mostly links or very short; short blocks and headings take the
 *       class of their good neighbours (a heading is kept when good text follows it);</li>
 *   <li>keep those inside the main container found Readability's way (comments and related stories after an
 *       article are dropped), one block per line;</li>
 *   <li>when that keeps under 500 characters, read again without the class/id rules, and as a last resort keep
 *       every block that is not mostly links (measured on Mozilla Readability's pages: bench/extraction).</li>
 * </ol>
 * One instance per task (not thread-safe: it reuses its buffers).
 */
public final class MainContentExtractor {
    private static final Set<String> DROP_TAGS = Set.of("script", "style", "noscript", "template", "svg", "iframe",
            "nav", "aside", "footer", "button", "select", "input", "textarea", "object", "embed", "canvas",
            "map", "audio", "video", "head", "menu", "dialog", "label");
    private static final Set<String> BLOCK_TAGS = Set.of("p", "div", "li", "td", "th", "tr", "h1", "h2", "h3", "h4",
            "h5", "h6", "pre", "blockquote", "dt", "dd", "section", "article", "main", "header", "ul", "ol", "dl",
            "table", "caption", "figcaption", "address", "center", "hr", "body", "tbody", "thead", "details",
            "summary", "fieldset", "legend", "figure");
    /** A {@code <br>} outside {@code <pre>}: kept through {@link #collapse} as a line break (text() never has it). */
    private static final char LINE_BREAK = '\n';
    private static final Set<String> HEADINGS = Set.of("h1", "h2", "h3", "h4", "h5", "h6");
    private static final Pattern UNLIKELY = Pattern.compile(
            "-ad-|\\bads?\\b|advert|banner|breadcrumb|combx|comment|community|cookie|consent|disqus|extra|foot|"
                    + "gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|"
                    + "sponsor|supplemental|ad-break|agegate|pagination|pager|popup|share|sharing|newsletter|"
                    + "subscribe|nav|toolbar|masthead|promo|widget|skip-link|signup|login|modal|copyright|\\btoc\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern MAYBE = Pattern.compile("and|article|body|column|content|main|shadow|post|entry|text",
            Pattern.CASE_INSENSITIVE);
    private static final Set<String> DROP_ROLES = Set.of("navigation", "banner", "contentinfo", "complementary",
            "dialog", "alertdialog", "menu", "menubar", "search");

    /** Tunables of the classifier (defaults were checked on the PostgreSQL manual and the crawl samples). */
    /**
     * @param retryChars below this weight of kept text (non-space characters, CJK counted twice) the page is read
     *     again without the class/id rules, and the longer reading is kept (Readability.js retries below 500)
     */
    public record Config(int goodChars, double maxGoodLinkDensity, double badLinkDensity, int minChars,
            int retryChars) {
        public static Config defaults() {
            return new Config(70, 0.6, 0.8, 10, 500);
        }
    }

    private final Config config;
    /**
     * The UNLIKELY/MAYBE verdict per class+id string: pages repeat theirs (a manual page: hundreds of spans of a few
     * classes) and so do the pages of a site and of a crawl (navbar, footer, ...), so each distinct string goes
     * through the two regexes once per extractor, not once per element. Bounded: cleared when full.
     */
    private final Map<String, Boolean> unlikelyCache = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int UNLIKELY_CACHE_MAX = 100_000;

    public MainContentExtractor(Config config) {
        this.config = config;
    }

    public MainContentExtractor() {
        this(Config.defaults());
    }

    /**
     * The page's main text, one block per line; empty when the page has no visible text. Like Readability.js, the
     * page is read again with looser rules when the first reading keeps too little: first without the class/id
     * rules (a page's whole article may sit in a container named "widget", "sidebar-right-mix" or "ad-portal"),
     * then, when still nothing is kept, every block that is not mostly links (short pages, edge cases).
     */
    public String extract(String html, String url) {
        org.jsoup.nodes.Document doc = Jsoup.parse(html, url == null ? "" : url, Parser.htmlParser());
        Element body = doc.body();
        if (body == null) {
            return "";
        }
        if (unlikelyCache.size() > UNLIKELY_CACHE_MAX) {
            unlikelyCache.clear();
        }
        List<Block> blocks = segment(body, true);
        String text = assemble(blocks, false);
        if (weight(text) < config.retryChars()) {
            List<Block> all = segment(body, false);
            String loose = assemble(all, false);
            if (weight(loose) > weight(text)) {
                text = loose;
                blocks = all;
            }
            if (text.isEmpty()) {
                text = assemble(blocks, true);
            }
        }
        return text;
    }

    /** Whole visible text with block breaks, no boilerplate removal (used when the extract step is switched off). */
    public static String fullText(String html) {
        org.jsoup.nodes.Document doc = Jsoup.parse(html);
        doc.select("script,style,noscript,template").remove();
        return doc.body() == null ? "" : doc.body().wholeText().replaceAll("[ \\t\\x0B\\f\\r]+", " ")
                .replaceAll("\\s*\\n\\s*", "\n").trim();
    }

    /** Whether an element (and all it holds) is never content; {@code byClassId}: the class/id rules too. */
    private boolean dropped(Element e, boolean byClassId) {
        return DROP_TAGS.contains(e.normalName()) || isHidden(e) || byClassId && unlikely(e, unlikelyCache);
    }

    private static boolean isHidden(Element e) {
        if (e.hasAttr("hidden") || "true".equals(e.attr("aria-hidden"))) {
            return true;
        }
        String role = e.attr("role");
        if (!role.isEmpty() && DROP_ROLES.contains(role.toLowerCase(Locale.ROOT))) {
            return true;
        }
        String style = e.attr("style");
        if (!style.isEmpty()) {
            String s = style.toLowerCase(Locale.ROOT).replace(" ", "");
            return s.contains("display:none") || s.contains("visibility:hidden");
        }
        return false;
    }

    private static boolean unlikely(Element e, Map<String, Boolean> seen) {
        String tag = e.normalName();
        if (tag.equals("a") || tag.equals("article") || tag.equals("main") || tag.equals("table")
                || tag.equals("tbody") || tag.equals("tr") || tag.equals("td") || tag.equals("pre")
                || tag.equals("code") || HEADINGS.contains(tag)) {
            return false;
        }
        String cls = e.className();
        String id = e.id();
        if (cls.isEmpty() && id.isEmpty()) {
            return false;
        }
        String key = cls + " " + id;
        Boolean known = seen.get(key);
        if (known == null) {
            known = UNLIKELY.matcher(key).find() && !MAYBE.matcher(key).find();
            seen.put(key, known);
        }
        return known;
    }

    /** One run of text between block boundaries. */
    private static final class Block {
        final StringBuilder text = new StringBuilder();
        int linkChars;
        int chars;
        boolean heading;
        boolean pre;
        int cls; // 1 good, -1 bad, 0 undecided
        /** The innermost block-level element the block's text is in. */
        Element owner;
    }

    /**
     * Cuts the body into blocks, skipping what {@link #dropped} says is never content (the DOM is left as it is, so a
     * second reading with other rules needs no new parse). A {@code <br>} breaks the line, not the block: text laid
     * out with line breaks instead of paragraphs is one block of several lines, classified as a whole.
     */
    private List<Block> segment(Element body, boolean byClassId) {
        List<Block> blocks = new ArrayList<>();
        NodeFilter v = new NodeFilter() {
            Block cur = new Block();
            final java.util.ArrayDeque<Element> open = new java.util.ArrayDeque<>();
            int linkDepth;
            int preDepth;
            int headingDepth;

            void flush() {
                if (cur.chars > 0) {
                    blocks.add(cur);
                }
                cur = new Block();
            }

            @Override
            public FilterResult head(Node node, int depth) {
                if (node instanceof TextNode t) {
                    String s = preDepth > 0 ? t.getWholeText() : t.text();
                    if (preDepth == 0 && s.isBlank()) {
                        if (cur.text.length() > 0 && cur.text.charAt(cur.text.length() - 1) != ' ') {
                            cur.text.append(' ');
                        }
                        return FilterResult.CONTINUE;
                    }
                    if (preDepth == 0 && cur.text.length() > 0 && !t.getWholeText().isEmpty()
                            && Character.isWhitespace(t.getWholeText().charAt(0))
                            && cur.text.charAt(cur.text.length() - 1) != ' ') {
                        cur.text.append(' ');
                    }
                    if (cur.owner == null) {
                        cur.owner = open.isEmpty() ? body : open.peek();
                    }
                    cur.text.append(s);
                    int n = nonSpace(s);
                    cur.chars += n;
                    if (linkDepth > 0) {
                        cur.linkChars += n;
                    }
                    if (headingDepth > 0) {
                        cur.heading = true;
                    }
                    if (preDepth > 0) {
                        cur.pre = true;
                    }
                    if (preDepth == 0 && !t.getWholeText().isEmpty()
                            && Character.isWhitespace(t.getWholeText().charAt(t.getWholeText().length() - 1))) {
                        cur.text.append(' ');
                    }
                } else if (node instanceof Element e) {
                    if (e != body && dropped(e, byClassId)) {
                        return FilterResult.SKIP_ENTIRELY;
                    }
                    String tag = e.normalName();
                    if (tag.equals("br")) {
                        cur.text.append(LINE_BREAK);
                        return FilterResult.CONTINUE;
                    }
                    if (BLOCK_TAGS.contains(tag)) {
                        flush();
                        open.push(e);
                    }
                    if (tag.equals("a") && !e.attr("href").startsWith("javascript:")) {
                        linkDepth++;
                    } else if (tag.equals("pre")) {
                        preDepth++;
                    } else if (HEADINGS.contains(tag)) {
                        headingDepth++;
                    }
                }
                return FilterResult.CONTINUE;
            }

            @Override
            public FilterResult tail(Node node, int depth) {
                if (node instanceof Element e) {
                    String tag = e.normalName();
                    if (tag.equals("a") && !e.attr("href").startsWith("javascript:")) {
                        linkDepth--;
                    } else if (tag.equals("pre")) {
                        preDepth--;
                    } else if (HEADINGS.contains(tag)) {
                        headingDepth--;
                    }
                    if (BLOCK_TAGS.contains(tag)) {
                        flush();
                        open.pop();
                    }
                    if (e == body) {
                        flush();
                    }
                }
                return FilterResult.CONTINUE;
            }
        };
        NodeTraversor.filter(v, body);
        return blocks;
    }

    private static final boolean DEBUG = Boolean.getBoolean("extract.debug");

    /**
     * The kept blocks' text. {@code everyTextBlock}: the last resort for a page where the rules keep nothing (a
     * short page, a page of short lines): every block that is not mostly links.
     */
    private String assemble(List<Block> blocks, boolean everyTextBlock) {
        int n = blocks.size();
        if (n == 0) {
            return "";
        }
        if (everyTextBlock) {
            boolean[] keep = new boolean[n];
            for (int i = 0; i < n; i++) {
                Block b = blocks.get(i);
                keep[i] = b.linkChars * 2 <= b.chars;
            }
            return join(blocks, keep);
        }
        Config c = config;
        for (Block b : blocks) {
            double ld = b.chars == 0 ? 1 : (double) b.linkChars / b.chars;
            if (ld > c.badLinkDensity() || (ld > 0.5 && b.chars < 2 * c.goodChars())
                    || (b.chars < c.minChars() && !b.heading)) {
                b.cls = -1;
            } else if (ld <= c.maxGoodLinkDensity() && (b.chars >= c.goodChars() || b.pre && b.chars >= 20)) {
                b.cls = 1;
            } else {
                b.cls = 0;
            }
        }
        // context: an undecided block between good ones (ignoring other undecided ones) is content; a heading is
        // content when a good block follows within the next three
        int[] prevGood = new int[n];
        int last = -1;
        for (int i = 0; i < n; i++) {
            prevGood[i] = last;
            if (blocks.get(i).cls == 1) {
                last = i;
            } else if (blocks.get(i).cls == -1) {
                last = -1;
            }
        }
        int next = -1;
        int nextGoodAny = -1; // the next good block, links lists in between allowed (a table of contents)
        boolean[] keep = new boolean[n];
        for (int i = n - 1; i >= 0; i--) {
            Block b = blocks.get(i);
            if (b.heading && nextGoodAny >= 0 && nextGoodAny - i <= 12) {
                keep[i] = b.cls >= 0 || (double) b.linkChars / Math.max(1, b.chars) <= 0.5;
                if (b.cls == 1) {
                    next = i;
                    nextGoodAny = i;
                }
                continue;
            }
            if (b.cls == 1) {
                keep[i] = true;
                next = i;
                nextGoodAny = i;
            } else if (b.cls == 0) {
                boolean goodBefore = prevGood[i] >= 0;
                boolean goodAfter = next >= 0;
                boolean nearGood = b.chars >= c.goodChars() / 2;
                keep[i] = goodBefore && goodAfter || (b.heading && next >= 0 && next - i <= 3)
                        || nearGood && (goodBefore || goodAfter);
            } else {
                next = b.heading ? next : -1;
                if (b.heading && next >= 0 && next - i <= 3) {
                    keep[i] = true;
                }
            }
        }
        restrictToMainContainer(blocks, keep);
        if (DEBUG) {
            for (int i = 0; i < n; i++) {
                Block b = blocks.get(i);
                String t = collapse(b.text);
                System.out.printf("%s cls=%d chars=%d links=%d %s%n", keep[i] ? "KEEP" : "drop", b.cls, b.chars,
                        b.linkChars, t.length() > 80 ? t.substring(0, 80) : t);
            }
        }
        return join(blocks, keep);
    }

    private static final Pattern POSITIVE = Pattern.compile(
            "article|body|content|entry|main|page|post|text|blog|story", Pattern.CASE_INSENSITIVE);
    private static final Pattern NEGATIVE = Pattern.compile(
            "hidden|banner|combx|comment|contact|foot|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|"
                    + "shoutbox|sidebar|skyscraper|sponsor|shopping|tags|tool|widget|reply|respond|recommend",
            Pattern.CASE_INSENSITIVE);

    /**
     * Keeps only the blocks inside the page's main container, found as Readability.js finds it: each good block
     * gives its score (1 + commas + up to 3 per 100 characters) to the element holding it, half to the next one up,
     * less to three more levels; an element's score, plus a small bonus or malus for its tag and its class/id, is
     * scaled by the share of its text that is not links. The best element, and those of its siblings that score
     * at least a fifth of it, is the main content: comments, "related" lists and teasers after an article are
     * long, link-poor text too, which the block rules alone keep.
     */
    private static void restrictToMainContainer(List<Block> blocks, boolean[] keep) {
        java.util.IdentityHashMap<Element, double[]> stats = new java.util.IdentityHashMap<>(); // score, chars, links
        boolean anyGood = false;
        for (int i = 0; i < keep.length; i++) {
            Block b = blocks.get(i);
            // link density over the blocks the rules keep: a table of contents or a menu the rules already dropped
            // does not count against the element that also holds the article
            if (b.owner == null || !keep[i]) {
                continue;
            }
            for (Element a = b.owner; a != null; a = a.parent()) {
                double[] st = stats.computeIfAbsent(a, k -> new double[3]);
                st[1] += b.chars;
                st[2] += b.linkChars;
            }
            if (b.cls == 1) {
                anyGood = true;
                int commas = 0;
                for (int j = 0; j < b.text.length(); j++) {
                    char ch = b.text.charAt(j);
                    commas += ch == ',' || ch == '\uff0c' || ch == '\u3001' ? 1 : 0;
                }
                double score = 1 + commas + Math.min(b.chars / 100.0, 3);
                Element a = b.owner.parent();
                for (int level = 0; level < 5 && a != null; level++, a = a.parent()) {
                    stats.get(a)[0] += score / (level == 0 ? 1 : level == 1 ? 2 : level * 3);
                }
            }
        }
        if (!anyGood) {
            return;
        }
        Element top = null;
        double topScore = 0;
        java.util.IdentityHashMap<Element, Double> finals = new java.util.IdentityHashMap<>();
        for (java.util.Map.Entry<Element, double[]> en : stats.entrySet()) {
            double[] st = en.getValue();
            if (st[0] <= 0) {
                continue;
            }
            // the tag and class/id weigh at most CAP times the text: a "table-contents" cell with one short
            // good line must not beat the section that holds the page's paragraphs
            double w = tagWeight(en.getKey());
            double f = (st[0] + Math.copySign(Math.min(Math.abs(w), CAP * st[0]), w)) * (1 - st[2] / Math.max(1, st[1]));
            finals.put(en.getKey(), f);
            if (f > topScore) {
                topScore = f;
                top = en.getKey();
            }
        }
        if (top == null || top.parent() == null || top.normalName().equals("body")) {
            return;
        }
        top = climb(top, topScore, finals);
        topScore = finals.getOrDefault(top, topScore);
        if (top.parent() == null || top.normalName().equals("body") || top.normalName().equals("html")) {
            return; // the whole page
        }
        java.util.Set<Element> main = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        double siblingBar = Math.max(10, topScore * 0.2);
        for (Element sib : top.parent().children()) {
            Double f = finals.get(sib);
            double[] st = stats.get(sib);
            if (sib == top || f != null && f >= siblingBar
                    || st != null && st[1] >= 80 && st[2] < 0.25 * st[1] && sib.normalName().equals("p")) {
                main.add(sib);
            }
        }
        // and the paragraphs around the container one and two levels up: the text above and below a table or a
        // figure that scored best is the same article
        for (Element up = top.parent(), from = top; up != null && up.parent() != null && from != null
                && !up.normalName().equals("body") && up != top.parent().parent().parent(); from = up,
                up = up.parent()) {
            for (Element sib : up.children()) {
                double[] st = stats.get(sib);
                if (sib != from && st != null && st[2] < 0.25 * st[1] && (sib.normalName().equals("p")
                        || sib.normalName().equals("pre") || HEADINGS.contains(sib.normalName()))) {
                    main.add(sib);
                }
            }
        }
        if (DEBUG) {
            finals.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue())).limit(8)
                    .forEach(en -> System.out.printf("cand %.1f %s.%s#%s raw %.1f chars %.0f links %.0f%n",
                            en.getValue(), en.getKey().normalName(), en.getKey().className(), en.getKey().id(),
                            stats.get(en.getKey())[0], stats.get(en.getKey())[1], stats.get(en.getKey())[2]));
            main.forEach(m -> System.out.println("main " + m.normalName() + "." + m.className() + "#" + m.id()));
        }
        // a section of a manual or a chapter: the blocks the rules keep in the same section as the container's
        // parent are the same text (LEVELS up from the container; 0: the container and its siblings only)
        Element scope = top;
        for (int l = 0; l < LEVELS && scope.parent() != null && !scope.parent().normalName().equals("body"); l++) {
            scope = scope.parent();
        }
        if (scope != top) {
            main.add(scope);
        }
        // what the rules keep before the main container stays (a title, a lead paragraph, the text above a table
        // that scored best); what follows it and lies outside is dropped (comments, related stories, teasers)
        boolean seenMain = false;
        for (int i = 0; i < keep.length; i++) {
            if (keep[i] || !seenMain) {
                boolean inside = false;
                for (Element a = blocks.get(i).owner; a != null && !inside; a = a.parent()) {
                    inside = main.contains(a);
                }
                seenMain |= inside;
                keep[i] &= inside || !seenMain;
            }
        }
    }

    /**
     * Readability's corrections to the best element: when three or more other elements score nearly as well (the
     * article cut into several containers), their closest common ancestor holding three of them; then up while the
     * parent keeps a third of the score and up at once to a parent that scores higher; then up through parents
     * that hold nothing else.
     */
    private static Element climb(Element top, double topScore, java.util.Map<Element, Double> finals) {
        List<Element> close = new ArrayList<>();
        for (java.util.Map.Entry<Element, Double> en : finals.entrySet()) {
            if (en.getKey() != top && en.getValue() >= 0.75 * topScore) {
                close.add(en.getKey());
            }
        }
        if (close.size() >= 3) {
            for (Element a = top.parent(); a != null && a.parent() != null && !a.normalName().equals("body");
                    a = a.parent()) {
                int holds = 0;
                for (Element c : close) {
                    for (Element x = c.parent(); x != null; x = x.parent()) {
                        if (x == a) {
                            holds++;
                            break;
                        }
                    }
                }
                if (holds >= 3) {
                    top = a;
                    break;
                }
            }
        }
        double last = finals.getOrDefault(top, topScore);
        double floor = last / 3;
        for (Element a = top.parent(); a != null && a.parent() != null && !a.normalName().equals("body");
                    a = a.parent()) {
            Double f = finals.get(a);
            if (f == null) {
                continue;
            }
            if (f < floor) {
                break;
            }
            if (f > last) {
                top = a;
                break;
            }
            last = f;
        }
        while (top.parent() != null && !top.parent().normalName().equals("body")
                && top.parent().childrenSize() == 1) {
            top = top.parent();
        }
        return top;
    }

    /** How far up from the main container the kept blocks count as the same text (a manual's section). */
    private static final int LEVELS = 2;
    /** The tag and class/id weigh at most CAP times the element's own text score. */
    private static final double CAP = 10;

    private static double tagWeight(Element e) {
        double w = switch (e.normalName()) {
            case "div", "article", "main", "section" -> 5;
            case "pre", "td", "blockquote" -> 3;
            case "address", "ol", "ul", "dl", "dd", "dt", "li", "form" -> -3;
            case "h1", "h2", "h3", "h4", "h5", "h6", "th" -> -5;
            default -> 0;
        };
        String cls = e.className();
        String id = e.id();
        for (String s : new String[] {cls, id}) {
            if (!s.isEmpty()) {
                if (NEGATIVE.matcher(s).find()) {
                    w -= 25;
                }
                if (POSITIVE.matcher(s).find()) {
                    w += 25;
                }
            }
        }
        return w;
    }

    private static String join(List<Block> blocks, boolean[] keep) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                Block b = blocks.get(i);
                String t = b.pre ? stripTrailing(b.text) : collapse(b.text);
                if (!t.isEmpty()) {
                    if (out.length() > 0) {
                        out.append('\n');
                    }
                    out.append(t);
                }
            }
        }
        return out.toString();
    }

    private static int weight(String s) {
        return nonSpace(s);
    }

    private static int nonSpace(String s) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char ch = s.charAt(i);
            if (!Character.isWhitespace(ch) && ch != '\u00a0') {
                // a CJK character carries about two Latin characters' worth of text: weigh it so that the length
                // rules mean the same for Chinese and Japanese pages
                n += ch >= 0x3000 && ch < 0xA000 || ch >= 0xAC00 && ch < 0xD7B0 ? 2 : 1;
            }
        }
        return n;
    }

    /** Runs of white space to one space, line breaks ({@code <br>}) kept as one, no white space at the ends. */
    private static String collapse(CharSequence s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean space = false;
        boolean newline = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == LINE_BREAK) {
                newline = b.length() > 0;
            } else if (Character.isWhitespace(ch) || ch == '\u00a0') {
                space = b.length() > 0;
            } else {
                if (newline) {
                    b.append('\n');
                } else if (space) {
                    b.append(' ');
                }
                space = false;
                newline = false;
                b.append(ch);
            }
        }
        return b.toString();
    }

    private static String stripTrailing(CharSequence s) {
        String t = s.toString().replace("\r", "");
        // keep the code's own line breaks, drop blank lines at both ends
        return t.replaceAll("^\\s*\\n", "").stripTrailing();
    }
}
