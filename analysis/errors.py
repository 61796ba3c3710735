"""Errors and warnings that the command line reports as one line, without a traceback."""


class AnalysisError(Exception):
    """A problem with the user's input (a file, a column, a rule), stated in one line."""


class CorpusError(AnalysisError):
    """The corpus cannot be read: a missing file, a bad manifest, an empty document …"""


class RulesError(AnalysisError):
    """A data file of rules (cleaning rules, codebook) is malformed."""


class CorpusWarning(UserWarning):
    """The corpus was read, but something in it may not be what its author meant."""


class EncodingFallbackWarning(CorpusWarning):
    """A text was not UTF-8 and was decoded with a legacy single-byte encoding."""


class InvalidBytesWarning(CorpusWarning):
    """A UTF-8 text held a few bytes that are not UTF-8; they were replaced with U+FFFD."""


class NameCaseWarning(CorpusWarning):
    """Two outlet (or event) names differ only by case, so they are read as two names."""


class NonEnglishWarning(CorpusWarning):
    """Documents not in English were left out of a step that works on English only (VADER tone)."""
