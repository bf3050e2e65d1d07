"""The settings file every test gets (``tests/conftest.py``): every LA and officer detail the
built-in letters use, so that ``att penalty add``, which files the notice's copy, works in any
test without its own settings."""

SETTINGS = """
[officer]
name = "Jo Officer"
job_title = "Education Welfare Officer"
phone = "01632 960 123"
email = "jo.officer@example.gov.uk"

[la]
name = "Kestrelford Council"
service = "Attendance Support Service"
address = "Town Hall, High Street, Kestrelford KF1 1AA"
phone = "01632 960 000"
email = "attendance@example.gov.uk"
website = "www.example.gov.uk/attendance"

[penalty]
how_to_pay = "Online at www.example.gov.uk/pay quoting the notice number"
pay_to = "Kestrelford Council, Income Team, Town Hall, Kestrelford KF1 1AA"
"""
