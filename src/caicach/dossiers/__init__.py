"""Dossiers (*hồ sơ thủ tục hành chính*): the pure rules of the one-stop lifecycle.

No Django and no ORM here yet: identity checks (CCCD, MST, phone), the dossier code of
TT 01/2018/TT-VPCP art. 19, the lifecycle state machine as data (NĐ 61/2018 arts. 17-20) and the
clock ledger (legal due date, Decision 766's view, timeliness, lateness per step). See
``docs/regulations.md`` §1.3 and §2.
"""
