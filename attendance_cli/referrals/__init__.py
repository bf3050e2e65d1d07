"""Legal referrals: the readiness check (``check``) and the evidence bundle (``bundle``).

``evidence.gather_case_file`` reads everything held about one child once; the check and the
bundle both work from that case file, so what the check saw is what the bundle holds.
"""
