"""The command line's wording: command and option help, command output and its refusals."""

MESSAGES: dict[str, str] = {
}
