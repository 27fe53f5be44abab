"""Operations wording: settings, database, backup and restore, the calendar, the scheduler and jobs."""

MESSAGES: dict[str, str] = {
}
