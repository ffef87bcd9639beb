"""Bahasa Indonesia dates read one way on every page and in every mail: "7 Des 2026" and
"7 Des 2026, 14.05" (Django's id defaults mix "07-12-2026" in). The short formats are
the same on purpose: a template asking for either gets this one."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "j M Y, H.i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H.i"
