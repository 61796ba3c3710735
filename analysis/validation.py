"""How far to trust VADER: its scores against human ratings of 5,190 NYT editorial (opinion) sentences.

The data (``data/vader_nyt_editorials/``, MIT licence) was released with VADER
(Hutto & Gilbert 2014): each sentence was rated by 20 people from −4 (most
negative) to +4 (most positive). Three measures:

* Pearson r between VADER's compound and the mean human rating (the paper
  reports 0.492; vaderSentiment 3.3.2 gives about 0.50), and Spearman's rho;
* 3-class agreement: both sides labelled positive / neutral / negative, VADER at
  compound ±0.05, people at a mean rating of ±0.2 (the same 2.5 % of the scale's
  half-range, −4 … 4 instead of −1 … 1), beside the agreement of always giving the
  most frequent human label (negative) and Cohen's kappa for chance agreement;
* one rater against the rest: each of the 20 rating columns against the mean of
  the other 19, Pearson r averaged over the columns. A tool at that r is "as good
  as one person", not at a ceiling: the mean of 20 raters is far more reliable,
  and its reliability (Spearman–Brown from the mean correlation between two
  columns) is reported beside it.

The sentences are editorials, not news reports: opinion writing, more evaluative
than the seed articles. Both VADER's normalisation and name masking
(:func:`analysis.tone.scorer_text`) apply here as on any corpus, and
:func:`masking_effect` reports r with and without masking.

Nothing is cached on disk; reading and scoring take a second or two.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import cohen_kappa_score

from analysis.errors import CorpusError
from analysis.output import markdown_text
from analysis.paths import NYT_DIR
from analysis.style import NEUTRAL, PALETTE, new_figure
from analysis.text import normalize_text, read_text_file
from analysis.tone import MASK_NAMES, THRESHOLD, analyzer, format_p, normalize_for_scorer, score_texts

GROUND_TRUTH = "nytEditorialSnippets_GroundTruth.txt"
RATINGS = "nytEditorialSnippets_anonDataRatings.txt"
RATING_SCALE = 4.0  # ratings run from −4 to +4
HUMAN_THRESHOLD = THRESHOLD * RATING_SCALE
SOURCE_LABEL = "NYT editorial sentences rated by 20 people each (Hutto & Gilbert 2014)"


def read_nyt_sentences(folder: Path | str | None = None) -> pd.DataFrame:
    """Return the NYT editorial sentences with their mean human rating.

    Returns
    -------
    DataFrame with columns ``sentence_id`` (as in the file, e.g. ``1_1``),
    ``human_mean`` (mean of 20 ratings, −4 to 4) and ``text``, in file order.
    Raises CorpusError naming the file and line for a line that is not
    ``id<TAB>rating<TAB>text``.
    """
    path = Path(folder or NYT_DIR) / GROUND_TRUTH
    rows = []
    for number, line in _lines(path):
        parts = line.split("\t", 2)
        if len(parts) != 3 or not parts[2].strip():
            raise CorpusError(f"{path}:{number}: expected id, mean rating and sentence separated by tabs")
        rows.append((parts[0].strip(), _number(parts[1], path, number), normalize_text(parts[2].strip())))
    return pd.DataFrame.from_records(rows, columns=["sentence_id", "human_mean", "text"])


def read_rater_ratings(folder: Path | str | None = None) -> pd.DataFrame:
    """Return the individual ratings: one row per sentence and rating column.

    Returns
    -------
    DataFrame with columns ``sentence_id, rater`` (1 to 20: the position in the
    file's list; the file is anonymised, so a column need not be the same person
    on every sentence) and ``rating`` (−4 to 4), in file order. Raises CorpusError
    naming the file and line for a malformed line or a sentence without 20 ratings.
    """
    path = Path(folder or NYT_DIR) / RATINGS
    rows = []
    width = None
    for number, line in _lines(path):
        parts = line.split("\t")
        if len(parts) != 4:
            raise CorpusError(f"{path}:{number}: expected id, mean, standard deviation and a list of ratings")
        try:
            ratings = ast.literal_eval(parts[3].strip())
            ratings = [float(value) for value in ratings]
        except (ValueError, SyntaxError, TypeError):
            raise CorpusError(f"{path}:{number}: the ratings are not a list of numbers") from None
        width = width or len(ratings)
        if len(ratings) != width or width < 2:
            raise CorpusError(f"{path}:{number}: {len(ratings)} ratings where the file's other lines have {width}")
        rows.extend((parts[0].strip(), rater, rating) for rater, rating in enumerate(ratings, start=1))
    return pd.DataFrame.from_records(rows, columns=["sentence_id", "rater", "rating"])


def _lines(path: Path):
    """Yield ``(line number, line)`` for the non-blank lines of ``path`` (CRLF or LF endings)."""
    text = read_text_file(path)  # the text model's reader: decoding, line endings, clear errors
    found = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            found = True
            yield number, line
    if not found:
        raise CorpusError(f"{path}: no sentences (the file is empty)")


def _number(value: str, path: Path, number: int) -> float:
    try:
        return float(value)
    except ValueError:
        raise CorpusError(f"{path}:{number}: rating '{value}' is not a number") from None


def human_label(mean_rating, threshold: float = HUMAN_THRESHOLD) -> np.ndarray:
    """Return positive / neutral / negative for mean human ratings at ±``threshold`` (default 0.2 on −4 … 4)."""
    values = np.asarray(mean_rating, dtype=float)
    return np.where(values >= threshold, "positive", np.where(values <= -threshold, "negative", "neutral"))


def validation_sentences(folder: Path | str | None = None, threshold: float = THRESHOLD,
                         mask_names: bool = MASK_NAMES) -> pd.DataFrame:
    """Return every NYT sentence with its human mean and VADER scores.

    Returns
    -------
    DataFrame with columns ``sentence_id, text, human_mean`` (−4 to 4),
    ``human_label`` (at ±4 × ``threshold``), ``compound`` (VADER, −1 to 1) and
    ``vader_label`` (at ±``threshold``), in file order.
    """
    sentences = read_nyt_sentences(folder)
    scores = score_texts(sentences["text"].tolist(), threshold, mask_names=mask_names)
    sentences["human_label"] = human_label(sentences["human_mean"], threshold * RATING_SCALE)
    sentences["compound"] = scores["compound"].to_numpy()
    sentences["vader_label"] = scores["label"].to_numpy()
    return sentences


def one_rater_agreement(ratings: pd.DataFrame) -> pd.DataFrame:
    """Return, for each rating column, Pearson r of its ratings with the mean of the other columns.

    Returns
    -------
    DataFrame with columns ``rater, n_sentences, r_with_others`` (one row per
    column of the ratings file, in order).
    """
    matrix = ratings.pivot(index="sentence_id", columns="rater", values="rating")
    values = matrix.to_numpy(dtype=float)
    total = values.sum(axis=1)
    rows = []
    for position, rater in enumerate(matrix.columns):
        others = (total - values[:, position]) / (values.shape[1] - 1)
        r = stats.pearsonr(values[:, position], others).statistic
        rows.append((int(rater), int(values.shape[0]), float(r)))
    return pd.DataFrame.from_records(rows, columns=["rater", "n_sentences", "r_with_others"])


human_ceiling = one_rater_agreement  # the earlier name, kept for compatibility: it is no ceiling


def mean_rating_reliability(ratings: pd.DataFrame) -> tuple[float, float, int]:
    """Return ``(reliability of the mean of k columns, mean correlation between two columns, k)``.

    Spearman–Brown: with r̄ the mean Pearson r over all pairs of rating columns,
    the mean of k columns has reliability k·r̄ / (1 + (k − 1)·r̄).
    """
    matrix = ratings.pivot(index="sentence_id", columns="rater", values="rating").to_numpy(dtype=float)
    k = matrix.shape[1]
    correlations = np.corrcoef(matrix, rowvar=False)[np.triu_indices(k, 1)]
    mean_r = float(correlations.mean())
    return (k * mean_r / (1 + (k - 1) * mean_r), mean_r, k)


def majority_label_agreement(sentences: pd.DataFrame) -> tuple[float, str]:
    """Return ``(share of sentences, label)`` for always answering the most frequent human label."""
    counts = sentences["human_label"].value_counts()
    return (float(counts.iloc[0] / len(sentences)), str(counts.index[0]))


def validation_summary(sentences: pd.DataFrame | None = None, ratings: pd.DataFrame | None = None,
                       folder: Path | str | None = None) -> pd.DataFrame:
    """Return the agreement of VADER with people on the NYT sentences, one measure per row.

    ``sentences`` is the table of :func:`validation_sentences` and ``ratings`` that
    of :func:`read_rater_ratings` (both read from ``folder`` when not given).

    Returns
    -------
    DataFrame with columns ``measure, value, n_sentences, note``; measures:
    ``pearson_r`` (VADER compound vs human mean), ``spearman_rho``,
    ``three_class_agreement`` (share of sentences with the same label),
    ``majority_label_agreement`` (always answering the most frequent human label:
    the baseline the agreement must beat), ``cohen_kappa`` (that agreement
    corrected for chance), ``one_rater_r`` (one rating column vs the mean of the
    others, averaged over columns: "as good as one person"), ``one_rater_r_min``,
    ``one_rater_r_max``, ``mean_pairwise_r`` (two columns with each other) and
    ``mean_rating_reliability`` (of the mean of all columns, Spearman–Brown).
    """
    sentences = validation_sentences(folder) if sentences is None else sentences
    ratings = read_rater_ratings(folder) if ratings is None else ratings
    n = len(sentences)
    pearson = stats.pearsonr(sentences["compound"], sentences["human_mean"]).statistic
    spearman = stats.spearmanr(sentences["compound"], sentences["human_mean"]).statistic
    agreement = float(np.mean(sentences["vader_label"] == sentences["human_label"]))
    kappa = cohen_kappa_score(sentences["vader_label"], sentences["human_label"])
    ceiling = one_rater_agreement(ratings)
    n_rated = int(ceiling["n_sentences"].iloc[0])
    baseline, majority = majority_label_agreement(sentences)
    reliability, pairwise, k = mean_rating_reliability(ratings)
    rows = [
        ("pearson_r", float(pearson), n, "VADER compound vs the mean of 20 human ratings"),
        ("spearman_rho", float(spearman), n, "the same, on ranks"),
        ("three_class_agreement", agreement, n, "same label (positive/neutral/negative) from VADER and people"),
        ("majority_label_agreement", baseline, n, f"always answering '{majority}', the most frequent human label"),
        ("cohen_kappa", float(kappa), n, "that agreement corrected for chance (0 = chance, 1 = perfect)"),
        ("one_rater_r", float(ceiling["r_with_others"].mean()), n_rated,
         f"one rating column vs the mean of the other {len(ceiling) - 1}, averaged over {len(ceiling)} columns: "
         f"as good as one person"),
        ("one_rater_r_min", float(ceiling["r_with_others"].min()), n_rated, "the least agreeing column"),
        ("one_rater_r_max", float(ceiling["r_with_others"].max()), n_rated, "the most agreeing column"),
        ("mean_pairwise_r", pairwise, n_rated, "two rating columns with each other, averaged over pairs"),
        ("mean_rating_reliability", reliability, n_rated,
         f"reliability of the mean of {k} columns (Spearman–Brown: k·r / (1 + (k − 1)·r))"),
    ]
    return pd.DataFrame.from_records(rows, columns=["measure", "value", "n_sentences", "note"])


def validation_sentence(summary: pd.DataFrame) -> str:
    """Return a short computed paragraph saying what the validation numbers mean for tone differences."""
    value = dict(zip(summary["measure"], summary["value"]))
    n = int(summary["n_sentences"].iloc[0])
    share = value["pearson_r"] ** 2
    return (
        f"On {n:,} New York Times editorial (opinion) sentences, VADER's compound score correlates with the mean "
        f"of 20 human ratings at r = {value['pearson_r']:.2f} (it explains about {share:.0%} of their variance); "
        f"one person agrees with the mean of the other 19 at r = {value['one_rater_r']:.2f} on average, so VADER "
        f"{'falls short of being' if value['pearson_r'] < value['one_rater_r'] else 'is'} as good as one person "
        f"(not a ceiling: the mean of 20 raters has a reliability of "
        f"{value['mean_rating_reliability']:.2f}). VADER and the human mean give a sentence the same label "
        f"(positive, neutral or negative) {value['three_class_agreement']:.1%} of the time, where always "
        f"answering the most frequent label would agree {value['majority_label_agreement']:.1%} "
        f"(Cohen's κ = {value['cohen_kappa']:.2f}). Editorials are opinion, not news reports, so on news the "
        f"agreement may differ. So a single sentence's score is a rough guess; a "
        f"difference between outlets means something only when it holds over many sentences, and even then it "
        f"measures VADER's lexicon, not what a reader would feel."
    )


def masking_sentence(effect: pd.DataFrame) -> str:
    """Return a computed sentence on VADER's agreement with people with name masking and without it.

    ``effect`` is the table of :func:`masking_effect`.
    """
    rows = effect.set_index("mask_names")
    masked, plain = rows.loc[True], rows.loc[False]
    verdict = "raises" if masked["pearson_r"] > plain["pearson_r"] else (
        "leaves" if masked["pearson_r"] == plain["pearson_r"] else "lowers")
    return (f"Masking names and titles (the default) changes {int(masked['n_changed']):,} of the NYT scores and "
            f"{verdict} VADER's r with the human mean: {masked['pearson_r']:.3f} masked, {plain['pearson_r']:.3f} "
            f"as written.")


def difference_caveat(differences: pd.DataFrame, summary: pd.DataFrame, alpha: float = 0.05) -> str:
    """Return a computed sentence on what the largest outlet difference in tone can mean, given the validation.

    ``differences`` is a table of :func:`analysis.tone.outlet_differences`;
    ``summary`` that of :func:`validation_summary`.
    """
    value = dict(zip(summary["measure"], summary["value"]))
    trust = (f"VADER agrees with people on NYT editorial sentences at r = {value['pearson_r']:.2f}, where one "
             f"person agrees with the others at r = {value['one_rater_r']:.2f}")
    rows = differences.dropna(subset=["difference"])
    if rows.empty:
        return f"No outlet difference could be computed. {trust}."
    largest = rows.loc[rows["difference"].abs().idxmax()]
    voice = "" if largest["voice"] == "all" else f", {largest['voice']} sentences"
    verdict = ("within what reshuffling the sentences produces by chance" if largest["p_value"] >= alpha
               else f"unlikely under reshuffling (p < {alpha})")
    interval = ""
    if "ci_low" in largest and not np.isnan(largest["ci_low"]):
        interval = f", 95 % interval [{largest['ci_low']:+.2f}, {largest['ci_high']:+.2f}]"
    detectable = ""
    if "detectable_difference" in largest and not np.isnan(largest["detectable_difference"]):
        detectable = (f"; the smallest difference these sentences could reveal (80 % power) is "
                      f"{largest['detectable_difference']:.2f}")
    error = largest["p_mc_error"] if "p_mc_error" in largest else 0.0
    return (
        f"The largest difference in mean compound here is {largest['difference']:+.2f} "
        f"({markdown_text(largest['outlet_a'])} − {markdown_text(largest['outlet_b'])}{voice}) on a scale from "
        f"−1 to 1{interval}, {format_p(largest['p_value'], error)}: {verdict}{detectable}. {trust}, so even a clear "
        f"difference says that one "
        f"outlet's sentences use more of the words people tend to rate as positive or negative, not that its "
        f"reporting is friendlier or more hostile."
    )


def plot_validation_scatter(sentences: pd.DataFrame, summary: pd.DataFrame | None = None):
    """Return a scatter of VADER compound against the mean human rating, one point per NYT sentence."""
    figure, ax = new_figure(6.0, 4.6)
    ax.scatter(sentences["human_mean"], sentences["compound"], s=5, alpha=0.25, color=PALETTE[3], linewidths=0,
               rasterized=False)
    slope, intercept = np.polyfit(sentences["human_mean"], sentences["compound"], 1)
    xs = np.array([-4.0, 4.0])
    ax.plot(xs, slope * xs + intercept, color=PALETTE[4], linewidth=1.5, label="least-squares line")
    ax.axhline(0, color=NEUTRAL, linewidth=0.6)
    ax.axvline(0, color=NEUTRAL, linewidth=0.6)
    ax.set_xlim(-4.1, 4.1)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("mean human rating of the sentence (−4 to +4, 20 raters)")
    ax.set_ylabel("VADER compound (−1 to 1)")
    if summary is not None:
        value = dict(zip(summary["measure"], summary["value"]))
        ax.text(-3.9, 0.95, f"r = {value['pearson_r']:.2f}; one person vs the others: r = "
                            f"{value['one_rater_r']:.2f}", fontsize=8, va="top", color=NEUTRAL,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    ax.set_title("VADER against people: one point per NYT editorial (opinion) sentence")
    ax.legend(loc="lower right", fontsize=8)
    figure.text(0.0, -0.02, f"Source: {SOURCE_LABEL}. Analysis: the `analysis` package.", ha="left", va="top",
                fontsize=7.5, color=NEUTRAL, transform=figure.transFigure)
    return figure


def masking_effect(folder: Path | str | None = None, threshold: float = THRESHOLD) -> pd.DataFrame:
    """Return VADER's agreement with the human mean with names and titles masked and without.

    Returns
    -------
    DataFrame with columns ``mask_names`` (True, False), ``pearson_r``,
    ``three_class_agreement`` and ``n_changed`` (sentences whose compound masking
    changes; 0 on the unmasked row).
    """
    masked = validation_sentences(folder, threshold, mask_names=True)
    plain = validation_sentences(folder, threshold, mask_names=False)
    changed = int(np.sum(masked["compound"].to_numpy() != plain["compound"].to_numpy()))
    rows = [(flag, float(stats.pearsonr(table["compound"], table["human_mean"]).statistic),
             float(np.mean(table["vader_label"] == table["human_label"])), count)
            for flag, table, count in ((True, masked, changed), (False, plain, 0))]
    return pd.DataFrame.from_records(rows, columns=["mask_names", "pearson_r", "three_class_agreement", "n_changed"])


_TYPESET = {"'": "\u2019", '"': "\u201d"}


def typeset(text: str) -> str:
    """Return ``text`` with straight apostrophes and quotes made curly, as a typeset page prints them."""
    out, opening = [], True
    for position, character in enumerate(text):
        if character == '"':
            out.append("\u201c" if opening else "\u201d")
            opening = not opening
        elif character == "'":
            after_letter = position > 0 and text[position - 1].isalnum()
            out.append("\u2019" if after_letter else "\u2018")
        else:
            out.append(character)
    return "".join(out)


def normalisation_effect(folder: Path | str | None = None) -> pd.DataFrame:
    """Return how many NYT sentences change score when their quotes are typeset, with and without normalisation.

    The NYT file prints straight quotes. Typesetting them (curly, as news pages
    print them) and scoring the raw text shows what VADER loses on curly quotes;
    scoring after :func:`analysis.tone.normalize_for_scorer` shows that
    normalising undoes it.

    Returns
    -------
    DataFrame with one row per route: ``route`` (``raw`` or ``normalised``),
    ``n_sentences``, ``n_with_quote_marks`` and ``n_changed`` (sentences whose
    compound differs from that of the printed straight-quoted text).
    """
    sentences = read_nyt_sentences(folder)
    polarity = analyzer().polarity_scores
    texts = sentences["text"].tolist()
    quoted = [text for text in texts if "'" in text or '"' in text]
    printed = [polarity(text)["compound"] for text in quoted]
    rows = []
    for route, prepare in (("raw", lambda text: text), ("normalised", normalize_for_scorer)):
        changed = sum(polarity(prepare(typeset(text)))["compound"] != score for text, score in zip(quoted, printed))
        rows.append((route, len(texts), len(quoted), int(changed)))
    return pd.DataFrame.from_records(rows, columns=["route", "n_sentences", "n_with_quote_marks", "n_changed"])
