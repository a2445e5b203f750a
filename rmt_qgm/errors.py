"""The one exception type for user mistakes.

The CLI turns :class:`UserInputError` into a single line on stderr and exit code 2. Bugs keep their
tracebacks, so nothing else should be caught that way.
"""


class UserInputError(ValueError):
    """A bad parameter given by the user. The message names the parameter and the allowed values."""


class MonteCarloError(RuntimeError):
    """A Monte Carlo estimate that could not be made from the draws taken (e.g. no draw is a local minimum).

    Not a user mistake: ``predict`` turns it into a law that says why it is missing (``NoLaw``); the CLI prints
    one line without a traceback if it ever reaches it."""
