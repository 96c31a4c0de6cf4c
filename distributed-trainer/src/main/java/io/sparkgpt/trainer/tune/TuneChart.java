package io.sparkgpt.trainer.tune;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The search's figure against each numeric parameter, one XChart panel per parameter stacked in one PNG (drawn as
 * the trainer's loss charts are); the baseline trial (the job's own flags) is a horizontal line on every panel.
 */
final class TuneChart {
    private TuneChart() {
    }

    static byte[] png(List<TrialRecord> ok, String metric, String title) {
        System.setProperty("java.awt.headless", "true");
        TreeSet<String> names = new TreeSet<>();
        ok.forEach(t -> t.params().forEach((k, v) -> {
            if (TuneReport.value(v) instanceof Number) {
                names.add(k);
            }
        }));
        Double base = ok.stream().filter(t -> t.params().isEmpty()).map(TrialRecord::metric).findFirst().orElse(null);
        List<BufferedImage> panels = new ArrayList<>();
        for (String n : names.isEmpty() ? List.of("(no numeric parameter)") : names) {
            XYChart c = new XYChartBuilder().width(900).height(420).title(panels.isEmpty() ? title : "")
                    .xAxisTitle(n).yAxisTitle(metric).build();
            c.getStyler().setMarkerSize(8);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (TrialRecord t : ok) {
                String v = t.params().get(n);
                if (v != null && Double.isFinite(t.metric())) {
                    x.add(((Number) TuneReport.value(v)).doubleValue());
                    y.add(t.metric());
                }
            }
            if (x.isEmpty()) {
                x.add(0.0);
                y.add(base == null ? 0.0 : base);
            }
            double lo = x.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double hi = x.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            c.getStyler().setXAxisLogarithmic(lo > 0 && hi / lo >= 10);
            c.addSeries("trials", x, y).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            if (base != null && Double.isFinite(base)) {
                c.addSeries("baseline (job's own flags)", List.of(lo, hi), List.of(base, base))
                        .setMarker(SeriesMarkers.NONE);
            }
            panels.add(BitmapEncoder.getBufferedImage(c));
        }
        int w = panels.stream().mapToInt(BufferedImage::getWidth).max().orElse(1);
        int h = panels.stream().mapToInt(BufferedImage::getHeight).sum();
        BufferedImage all = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        int y0 = 0;
        for (BufferedImage p : panels) {
            g.drawImage(p, 0, y0, null);
            y0 += p.getHeight();
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(all, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw the tune chart", e);
        }
        return out.toByteArray();
    }
}
