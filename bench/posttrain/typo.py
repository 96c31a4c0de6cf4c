"""One typing slip in a word (deletion, doubling, swap or substitution), drawn from rng: the noise of the
held-out prompts of words_task.py and scarce_compare.py."""


def typo(w, rng):
    i = rng.randrange(len(w))
    op = rng.randrange(4)
    if op == 0 and len(w) > 3:
        return w[:i] + w[i + 1:]
    if op == 1:
        return w[:i] + w[i] + w[i:]
    if op == 2 and i + 1 < len(w):
        return w[:i] + w[i + 1] + w[i] + w[i + 2:]
    return w[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + w[i + 1:]
