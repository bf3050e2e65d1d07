"""Attendance figures: pure functions from mark strings to dataclasses (no database, no output).

``counts``      categories, DfE rates, bands; ``count_many`` for a whole LA at once
``calendar``    the school calendar (school days and weeks) and the assumed English year
``figures``     one enrolment over a period: ``count_sessions``, ``analyse_enrolment``
``thresholds``  at-risk reasons, recovery, penalty-notice threshold, continuous absence
``patterns``    weekday and holiday-adjacent absence, reason codes
``trend``       this period against the one before, week by week
``summary``     school / LA totals and rates
"""
