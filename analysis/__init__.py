"""Media-framing analysis: corpus → sentences/tokens → analyses → tidy tables → figures → report.

The pipeline starts with :func:`analysis.corpus.read_corpus`, which returns a
:class:`analysis.corpus.Corpus` whose tables (documents, paragraphs, sentences,
tokens, removed lines) every analysis module reads.
"""

__version__ = "0.1.0"

from analysis.corpus import Corpus, read_corpus  # noqa: E402
from analysis.errors import AnalysisError  # noqa: E402

__all__ = ["AnalysisError", "Corpus", "__version__", "read_corpus"]
