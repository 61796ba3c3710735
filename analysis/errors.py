"""Errors and warnings that the command line reports as one line, without a traceback."""


class AnalysisError(Exception):
    """A problem with the user's input (a file, a column, a rule), stated in one line."""


class CorpusError(AnalysisError):
    """The corpus cannot be read: a missing file, a bad manifest, an empty document …"""


class RulesError(AnalysisError):
    """A data file of rules (cleaning rules, codebook) is malformed."""


class EncodingFallbackWarning(UserWarning):
    """A text was not UTF-8 and was decoded with a legacy single-byte encoding."""
