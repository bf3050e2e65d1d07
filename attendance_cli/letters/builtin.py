"""The built-in letter templates: what each is for, and its wording, in one reviewable place.

``python -m attendance_cli.letters.build_templates`` turns this wording into the Word files in
``attendance_cli/letters/templates/`` (checked in, shipped in the wheel; a test fails when a
file no longer matches this wording). An LA changes its letters in Word, not here:
``att letter templates --export DIR`` writes these files for it to edit, and the folder named by
``letters.templates`` in the settings file overrides them by name.

The wording follows *Working together to improve school attendance* (2024): support first and
in plain English; the notice to improve as the last chance to engage with support before a
penalty notice, with its improvement period; the penalty notice carrying what regulation 3 of
the Education (Penalty Notices) (England) Regulations 2007 (SI 2007/1867, as amended by SI
2024/210) requires (the offence and its period, the amount, how, to whom and by when to pay, what
happens if it is not paid, the date, who issued it, and that it may be withdrawn).

Blocks: ``("p", text)`` a paragraph; ``("raw", tag)`` a paragraph holding only a ``{%p %}`` tag; ``("h", text)`` a bold heading; ``("list", item, text)`` one
paragraph per element (``{%p for %}`` in the file); ``("gap",)`` an empty line. Placeholders are
Jinja: ``{{ pupil.name }}``; the fields are listed in ``letters.merge.FIELDS``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Bump when the wording of any built-in template changes (recorded with every letter).
WORDING_VERSION = "2026.2"


@dataclass(frozen=True)
class TemplateInfo:
    name: str  # the file's stem
    title: str
    purpose: str
    addressee: str  # "parent": one letter per parent with parental responsibility; "school"
    counts_as_warning: bool = False  # filed as a warning letter (the referral checklist)
    needs: tuple[str, ...] = ()  # optional merge sections it needs: meeting, notice, withdrawn


Block = tuple[str, ...]

_LETTERHEAD: list[Block] = [
    ("right", "{{ la.name }}"),
    ("right", "{{ la.service }}"),
    ("list-right", "line", "la.address_lines", "{{ line }}"),
    ("right", "Telephone {{ la.phone }}   Email {{ la.email }}"),
    ("gap",),
    ("list", "line", "addressee_lines", "{{ line }}"),
    ("gap",),
    ("p", "{{ letter.date }}"),
    ("p", "Our reference: {{ letter.reference }}"),
    ("gap",),
]

_SIGN_OFF: list[Block] = [
    ("gap",),
    ("p", "Yours sincerely"),
    ("gap",),
    ("gap",),
    ("p", "{{ officer.name }}"),
    ("p", "{{ officer.job_title }}, {{ la.service }}"),
    ("p", "Telephone {{ officer.phone }}   Email {{ officer.email }}"),
]

_FIGURES = (
    "Between {{ figures.period_from }} and {{ figures.period_to }}, {{ pupil.forename }} "
    "attended {{ figures.attended }} of {{ figures.possible }} sessions "
    "({{ figures.attendance }}). That means {{ figures.sessions_missed }} sessions "
    "({{ figures.days_missed }} school days) were missed, {{ figures.unauthorised }} of them "
    "without the school's permission."
)

_ACTIONS: list[Block] = [
    ("raw", "{%p if actions %}"),
    ("p", "What we agreed:"),
    (
        "list",
        "a",
        "actions",
        "•  {{ a.action }} ({{ a.owner or 'owner to be agreed' }}"
        "{% if a.review_date %}; review by {{ a.review_date }}{% endif %})",
    ),
    ("raw", "{%p endif %}"),
]


def _parent_letter(title: str, body: list[Block]) -> list[Block]:
    return [
        *_LETTERHEAD,
        ("p", "Dear {{ parent.name }}"),
        ("gap",),
        ("h", title + ": {{ pupil.name }}, {{ school.name }}, {{ pupil.year_group }}"),
        ("gap",),
        *body,
        *_SIGN_OFF,
    ]


def _contract(kind: str, law: str) -> list[Block]:
    return _parent_letter(
        kind.capitalize(),
        [
            (
                "p",
                f"Thank you for meeting us about {{{{ pupil.forename }}}}'s attendance. This letter "
                f"confirms the {kind} we agreed. A {kind} is a voluntary written agreement "
                f"between you and {{{{ la.name }}}} or the school{law}. It sets out what you "
                "will do, and the support we and the school will give you, so that "
                "{{ pupil.forename }} can attend school every day.",
            ),
            ("p", _FIGURES),
            *_ACTIONS,
            (
                "p",
                "We will review the contract together on the review dates above. If you cannot "
                "keep to something in it, please tell us straight away so that we can change the "
                "support. If the contract is not kept, or you decide not to sign it, we may have "
                "to consider a notice to improve, a penalty notice or prosecution; a court can "
                "take a refusal to sign, or a broken contract, into account.",
            ),
            ("p", "Please sign and return one copy of the contract to us."),
        ],
    )


TEMPLATES: dict[str, tuple[TemplateInfo, list[Block]]] = {
    "attendance-concern": (
        TemplateInfo(
            "attendance-concern",
            "Attendance concern (first contact)",
            "First letter to a parent when attendance is a worry: the figures and an offer of help.",
            "parent",
        ),
        _parent_letter(
            "Concern about attendance",
            [
                (
                    "p",
                    "I am writing because {{ pupil.forename }}'s attendance at {{ school.name }} "
                    "has fallen to a level where we would like to help. " + _FIGURES,
                ),
                (
                    "p",
                    "Every day in school matters. Children who miss school fall behind with their "
                    "learning and can lose touch with their friends. We know there are often good "
                    "reasons behind absence, such as health, worries about school or difficulties "
                    "at home, and we want to understand what is getting in the way.",
                ),
                (
                    "p",
                    "Please contact me on {{ officer.phone }} or {{ officer.email }} so that we "
                    "can talk about what support would help. The school can also help: please "
                    "speak to them if anything has changed for your family.",
                ),
            ],
        ),
    ),
    "attendance-meeting": (
        TemplateInfo(
            "attendance-meeting",
            "Invitation to an attendance meeting",
            "Invites a parent to a meeting about attendance (needs --meeting-date).",
            "parent",
            needs=("meeting",),
        ),
        _parent_letter(
            "Invitation to a meeting about attendance",
            [
                (
                    "p",
                    "I would like to invite you to a meeting to talk about "
                    "{{ pupil.forename }}'s attendance and how we can help. " + _FIGURES,
                ),
                ("h", "The meeting"),
                ("p", "Date: {{ meeting.date }}"),
                ("p", "Time: {{ meeting.time }}"),
                ("p", "Place: {{ meeting.place }}"),
                (
                    "p",
                    "At the meeting we will listen to your views and {{ pupil.forename }}'s, talk "
                    "about anything that makes it hard for {{ pupil.forename }} to attend, and "
                    "agree a plan together, with support from the school and other services where "
                    "that would help. You are welcome to bring someone with you.",
                ),
                (
                    "p",
                    "If you cannot come at this time, please contact me on {{ officer.phone }} "
                    "or {{ officer.email }} and we will arrange another time.",
                ),
            ],
        ),
    ),
    "attendance-contract": (
        TemplateInfo(
            "attendance-contract",
            "Attendance contract",
            "Confirms an attendance contract agreed with a parent, with the agreed actions.",
            "parent",
        ),
        _contract("attendance contract", ""),
    ),
    "parenting-contract": (
        TemplateInfo(
            "parenting-contract",
            "Parenting contract",
            "Confirms a parenting contract (Anti-social Behaviour Act 2003 s.19), with the agreed actions.",
            "parent",
        ),
        _contract("parenting contract", " under section 19 of the Anti-social Behaviour Act 2003"),
    ),
    "notice-to-improve": (
        TemplateInfo(
            "notice-to-improve",
            "Notice to improve",
            "The last chance to engage with support before a penalty notice, with its improvement period.",
            "parent",
            counts_as_warning=True,
        ),
        _parent_letter(
            "Notice to improve",
            [
                (
                    "p",
                    "This is a notice to improve. It is a formal warning that a penalty notice may "
                    "be issued to you if {{ pupil.forename }}'s attendance does not improve. "
                    + _FIGURES,
                ),
                (
                    "p",
                    "{% if figures.penalty_threshold_met %}This meets the national threshold for "
                    "considering a penalty notice (10 sessions of unauthorised absence within 10 "
                    "school weeks), first reached on {{ figures.penalty_threshold_date }}."
                    "{% else %}The law expects {{ pupil.forename }} to attend every day the school "
                    "is open.{% endif %}",
                ),
                ("h", "The improvement period"),
                (
                    "p",
                    "You now have {{ improvement.weeks }} weeks, from {{ improvement.start }} to "
                    "{{ improvement.end }}, to improve {{ pupil.forename }}'s attendance. During "
                    "this time {{ pupil.forename }} should not miss any sessions without the "
                    "school's permission. We will check the registers at the end of the period.",
                ),
                ("h", "Support"),
                (
                    "p",
                    "We want to help you. Support is available from the school and from us, and "
                    "we can put you in touch with other services. Please contact me on "
                    "{{ officer.phone }} or {{ officer.email }} to arrange a meeting, or to tell "
                    "us about anything that is making attendance hard.",
                ),
                *_ACTIONS,
                (
                    "p",
                    "If attendance does not improve during the improvement period, or there is "
                    "further unauthorised absence, a penalty notice may be issued to you without "
                    "further warning, under section 444A of the Education Act 1996.",
                ),
            ],
        ),
    ),
    "warning-before-prosecution": (
        TemplateInfo(
            "warning-before-prosecution",
            "Warning before prosecution",
            "Formal warning that the LA is considering prosecution (Education Act 1996 s.444).",
            "parent",
            counts_as_warning=True,
        ),
        _parent_letter(
            "Formal warning: possible prosecution",
            [
                (
                    "p",
                    "As the parent of a child of compulsory school age registered at a school, "
                    "you must make sure that {{ pupil.forename }} attends regularly (section 444 "
                    "of the Education Act 1996). " + _FIGURES,
                ),
                (
                    "p",
                    "We have offered support to help improve {{ pupil.forename }}'s attendance, "
                    "but it has not improved enough. {{ la.name }} is now considering "
                    "prosecuting you in the magistrates' court for failing to secure "
                    "{{ pupil.forename }}'s regular attendance. If you are found guilty, the court "
                    "can fine you, make a parenting order, or give you a community sentence.",
                ),
                *_ACTIONS,
                (
                    "p",
                    "Before we decide, we will invite you to an interview, and you can tell us "
                    "about anything we should take into account, including any illness or other "
                    "reason for the absence. Please contact me on {{ officer.phone }} or "
                    "{{ officer.email }} within 10 school days of the date of this letter.",
                ),
                (
                    "p",
                    "Support is still available. It is not too late to work with us and the "
                    "school to improve {{ pupil.forename }}'s attendance.",
                ),
            ],
        ),
    ),
    "penalty-notice": (
        TemplateInfo(
            "penalty-notice",
            "Penalty notice",
            "The notice itself (EA 1996 s.444A), for a notice recorded with att penalty add.",
            "parent",
            needs=("notice",),
        ),
        [
            *_LETTERHEAD,
            ("h", "Penalty notice: Education Act 1996, section 444A"),
            ("p", "Notice number: {{ notice.number }}    Date of issue: {{ notice.issued }}"),
            ("gap",),
            ("p", "Dear {{ parent.name }}"),
            ("gap",),
            ("h", "The offence"),
            (
                "p",
                "You are the parent of {{ pupil.name }} (date of birth "
                "{{ pupil.date_of_birth }}), a registered pupil at {{ school.name }}. Between "
                "{{ notice.offence_from }} and {{ notice.offence_to }}, {{ pupil.forename }} "
                "failed to attend school regularly: {{ notice.unauthorised }} sessions (half "
                "days) were missed without the school's permission. This is an offence under "
                "section 444(1) of the Education Act 1996. This notice gives you the opportunity "
                "to discharge your liability to conviction for that offence by paying a penalty.",
            ),
            ("h", "How much to pay, and by when"),
            (
                "p",
                "{% if notice.amount_reduced %}If you pay within 21 days of receiving this "
                "notice, the penalty is {{ notice.amount_reduced }}. If you pay after 21 days "
                "but within 28 days of receiving it, the penalty is {{ notice.amount_full }}."
                "{% else %}The penalty is {{ notice.amount_full }}, payable within 28 days of "
                "receiving this notice. This is the second notice issued to you for "
                "{{ pupil.forename }} within three years, so no reduced amount applies."
                "{% endif %} A notice sent by first-class post is treated as received on the "
                "second working day after posting.",
            ),
            (
                "p",
                "{% if notice.received %}This notice is treated as received on "
                "{{ notice.received }}, so{% else %}Counted from the date of issue,{% endif %} "
                "{% if notice.amount_reduced %}the last day to pay {{ notice.amount_reduced }} "
                "is {{ notice.reduced_until }} and {% endif %}the last day to pay "
                "{{ notice.amount_full }} is {{ notice.pay_by }}.",
            ),
            ("h", "How to pay"),
            ("p", "{{ penalty.how_to_pay }}"),
            ("p", "Payment is to be made to: {{ penalty.pay_to }}"),
            ("p", "Please quote the notice number {{ notice.number }}."),
            ("h", "If you do not pay"),
            (
                "p",
                "If the penalty is not paid in full within 28 days of receiving this notice, "
                "{{ la.name }} must either prosecute you for the offence under section "
                "444(1) of the Education Act 1996 or withdraw this notice. If you are "
                "prosecuted and found guilty, the court can fine you up to £1,000 and make a "
                "parenting order; if it finds that you knew about the absence and failed to act "
                "(section 444(1A)), up to £2,500 or up to three months in prison. Payment in "
                "full means that you will not be prosecuted for this offence for these sessions.",
            ),
            ("h", "Withdrawal"),
            (
                "p",
                "This notice may be withdrawn by {{ la.name }} if it ought not to have been "
                "issued, for example because it was issued to the wrong person or did not comply "
                "with the regulations. You will be told in writing if it is withdrawn.",
            ),
            ("h", "Issued by"),
            (
                "p",
                "{{ officer.name }}, {{ officer.job_title }}, on behalf of {{ la.name }}. "
                "Telephone {{ officer.phone }}   Email {{ officer.email }}",
            ),
        ],
    ),
    "penalty-notice-withdrawal": (
        TemplateInfo(
            "penalty-notice-withdrawal",
            "Withdrawal of a penalty notice",
            "Tells a parent that a penalty notice was withdrawn (recorded with att penalty update --withdrawn).",
            "parent",
            needs=("notice",),
        ),
        _parent_letter(
            "Withdrawal of penalty notice {{ notice.number }}",
            [
                (
                    "p",
                    "The penalty notice numbered {{ notice.number }}, issued to you on "
                    "{{ notice.issued }} for {{ pupil.forename }}'s absence from "
                    "{{ school.name }}, was withdrawn on {{ notice.withdrawn }}.",
                ),
                ("p", "The reason: {{ notice.withdrawn_reason }}."),
                (
                    "p",
                    "You do not need to pay anything for this notice, and you will not be "
                    "prosecuted for the offence it described. {% if notice.paid %}You paid this "
                    "notice on {{ notice.paid }}: the money will be returned to you.{% endif %}",
                ),
                (
                    "p",
                    "If you have any questions, please contact me on {{ officer.phone }} or "
                    "{{ officer.email }}.",
                ),
            ],
        ),
    ),
    "cme-enquiry": (
        TemplateInfo(
            "cme-enquiry",
            "Children missing education enquiry",
            "Asks a family to get in touch when a child has stopped attending and may be missing education.",
            "parent",
        ),
        _parent_letter(
            "Where is {{ pupil.forename }} going to school?",
            [
                (
                    "p",
                    "{{ pupil.forename }} is on the roll of {{ school.name }} but has not been in "
                    "school for {{ figures.longest_absence_days }} school days in a row"
                    "{% if figures.absence_running %}, and has not returned{% endif %}. "
                    "The school has not been able to find out why.",
                ),
                (
                    "p",
                    "{{ la.name }} has a duty to make sure that every child of compulsory "
                    "school age in its area is receiving a suitable education. We are making "
                    "these enquiries with the school to find out where {{ pupil.forename }} is "
                    "and whether {{ pupil.forename }} is safe and receiving an education.",
                ),
                (
                    "p",
                    "Please contact me within 5 school days, on {{ officer.phone }} or "
                    "{{ officer.email }}, to tell me: whether {{ pupil.forename }} is still living "
                    "at this address; whether {{ pupil.forename }} has started at another school, "
                    "and which; or whether you are now educating {{ pupil.forename }} at home.",
                ),
                (
                    "p",
                    "If we do not hear from you, we will continue our enquiries, which may include "
                    "a visit to your home and checks with other services.",
                ),
            ],
        ),
    ),
    "tsm-summary": (
        TemplateInfo(
            "tsm-summary",
            "Targeting Support Meeting summary (to the school)",
            "To the school: the actions agreed for its pupils, with owners and review dates.",
            "school",
        ),
        [
            *_LETTERHEAD,
            ("p", "Dear Head Teacher"),
            ("gap",),
            ("h", "Targeting Support Meeting: {{ school.name }}, {{ meeting.date }}"),
            ("gap",),
            (
                "p",
                "Thank you for meeting us. This letter lists the actions agreed for each pupil, "
                "with who will do them and when we will review them. Please let me know if "
                "anything here is not as you understood it.",
            ),
            ("h", "Pupils and agreed actions"),
            (
                "list-nested",
                "p",
                "pupils",
                "{{ p.name }} ({{ p.year_group }}): attendance {{ p.attendance }}",
                "a",
                "p.actions",
                "•  {{ a.action }} ({{ a.owner or 'owner to be agreed' }}"
                "{% if a.review_date %}; review by {{ a.review_date }}{% endif %})",
            ),
            (
                "p",
                "Our next Targeting Support Meeting will review these actions. For any pupil "
                "whose attendance has not improved, we will agree together what to do next.",
            ),
            *_SIGN_OFF,
        ],
    ),
}


def builtin_info(name: str) -> TemplateInfo | None:
    found = TEMPLATES.get(name)
    return found[0] if found else None
