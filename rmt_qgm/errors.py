"""The one exception type for user mistakes.

The CLI turns :class:`UserInputError` into a single line on stderr and exit code 2. Bugs keep their
tracebacks, so nothing else should be caught that way.
"""


class UserInputError(ValueError):
    """A bad parameter given by the user. The message names the parameter and the allowed values."""
