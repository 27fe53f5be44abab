"""Document rules as data: the kinds of policies/documents.toml and the pure rules every document keeps.

A kind (the kind of document as this engine uses it: request for instructions, reply, minutes ...) says
who issues it, which series of the issuing organ's code (jiguan daizi) numbers it, who may sign it off,
where it goes by default (principal addressees / copies), when a workflow drafts it and how it is laid out.
The wording is not here: it lives in templates/documents/<kind>.j2. Validation errors name the file and
the kind at fault.

State: a document is a draft (editable), frozen (signed off: numbered, dated, its .docx written once
with its sha256) or void (its number stays taken forever). Nothing goes back to draft.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from quorum.core.errors import InvalidInput, InvalidPolicy, InvalidTransition
from quorum.core.messages import message, typesetting

DIRECTIONS = ("up", "down", "parallel", "internal")
LAYOUTS = ("standard", "upward", "letter", "minutes", "form")
DRAFTED = ("step_opened", "step_finished", "meeting_scheduled", "meeting_closed", "manual")
DATED = ("sign_off", "meeting")
UNIT_KINDS = ("government", "bureau", "party_org", "lead_hospital", "member_unit")
# Addressee tokens resolved from the record when a draft is made; anything else is a literal name.
SPECIAL_ADDRESSEES = ("@matter_unit", "@superior", "@requester", "@meeting_members", "@supervision_units",
                      "@step_units")
MEETING_CHAIR = "meeting_chair"        # signer token: the chair of the body that met / decided
# Issuer tokens: the matter's unit; the unit whose own meeting it is (a member unit's 班子会), else the matter's
UNIT_ISSUERS = ("@matter_unit", "@meeting_unit")
SERIES_FIELDS = ("issuer",)            # a series_by_body value may name the issuing unit: "{issuer}班子会议纪要"
NUMBER_FIELDS = ("series", "year", "serial")
# The words that mark a request, looked for in a 报告's body, and the genre they may not appear in: data
# matched against documents and policies/documents.toml, not wording (kept in the typesetting area)
REQUEST_WORDS = typesetting.REQUEST_WORDS
REPORT_GENRE = typesetting.REPORT_GENRE


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    FROZEN = "frozen"
    VOID = "void"


TRANSITIONS = {DocumentStatus.DRAFT: {DocumentStatus.FROZEN, DocumentStatus.VOID},
               DocumentStatus.FROZEN: {DocumentStatus.VOID}}
STATUS_NAMES = {status: message(f"state.document_{status}") for status in DocumentStatus}


def advance(current: str, new: str, action: str) -> str:
    """Return new if a document may move from current to new, else refuse in words."""
    if new not in TRANSITIONS.get(current, set()):
        raise InvalidTransition(what=message("state.what_document"), state=STATUS_NAMES.get(current, current),
                                action=action)
    return new


@dataclass(frozen=True)
class DocumentKind:
    key: str
    name: str                      # 议题申报表, 会议通知, 请示 ...
    genre: str                     # the 文种 of GB/T 9704 (通知, 决定, 函, 纪要 ...)
    direction: str
    layout: str
    drafted: str
    issuer: str                    # a unit kind, or "@matter_unit"
    signer_roles: tuple[str, ...]
    issuer_by_body: Mapping[str, str] = field(default_factory=dict)
    numbered: bool = True
    series: str | None = None      # a fixed 机关代字; default: the issuing unit's doc_prefix
    series_by_body: Mapping[str, str] = field(default_factory=dict)
    number_format: str = message("document.number_format_default")
    heading_suffix: str = message("document.heading_suffix_default")
    addressees: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    cc_label: str = message("document.cc_label_default")
    signature: bool = True
    dated: str = "sign_off"
    secrecy: str = ""
    public_fields: tuple[str, ...] = ()
    window_working_days: int | None = None
    requires_request: bool = False

    @property
    def upward(self) -> bool:
        return self.direction == "up"

    @property
    def template(self) -> str:
        return f"{self.key}.j2"


@dataclass(frozen=True)
class DocumentPolicy:
    kinds: Mapping[str, DocumentKind]
    editor_roles: tuple[str, ...]
    printing_office: str
    ranks: Mapping[str, int]
    superiors: Mapping[str, str]
    star_issuers: tuple[str, ...]
    contact_note: bool = True
    signers_by_issuer: Mapping[str, tuple[str, ...]] = field(default_factory=dict)   # [signers] by_issuer
    series_organs: Mapping[str, str] = field(default_factory=dict)    # [series] organs: 机关代字 → issuing organ

    def organ(self, series: str | None, issuer_name: str) -> str:
        """The organ a series is issued in the name of (header block, signature); else the issuing unit."""
        return self.series_organs.get(series or "", issuer_name)

    def signers(self, roles: Iterable[str], issuer_kind: str | None) -> tuple[str, ...]:
        """The kind's signer roles the issuing organ allows (a party committee document: the committee's only)."""
        allowed = self.signers_by_issuer.get(issuer_kind or "")
        narrowed = tuple(r for r in roles if allowed is None or r in allowed)
        return narrowed or tuple(allowed or ())      # none of the kind's roles at this organ: the organ's own

    def kind(self, key: str) -> DocumentKind:
        try:
            return self.kinds[key]
        except KeyError:
            raise InvalidInput.because("document.kind_unknown", name=key,
                                       kinds=message("value.list_separator").join(self.kinds)) from None


EMPTY_POLICY = DocumentPolicy(kinds={}, editor_roles=("secretariat",),
                              printing_office=message("document.printing_office_default"), ranks={},
                              superiors={}, star_issuers=())


# --------------------------------------------------------------------------------------------
# parsing


def _fail(source: str, where: str, reason: str) -> InvalidPolicy:
    return InvalidPolicy(source=message("document.policy_where", source=source, where=where) if where else source,
                         reason=reason)


def _strings(raw: Mapping, key: str, source: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(source, where, message("document.policy_not_strings", name=key))
    return tuple(v.strip() for v in value)


def _table(raw: Mapping, key: str, source: str, where: str) -> dict[str, str]:
    value = raw.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _fail(source, where, message("document.policy_not_table", name=key))
    return dict(value)


def _choice(raw: Mapping, key: str, options: tuple[str, ...], default: str | None, source: str, where: str) -> str:
    value = raw.get(key, default)
    if value not in options:
        raise _fail(source, where, message("document.policy_bad_choice", name=key, value=value,
                                           options=message("value.list_separator").join(options)))
    return value


def _check_format(text: str, source: str, where: str) -> str:
    names = set(re.findall(r"{(\w*)}", text))
    if "serial" not in names or not names <= set(NUMBER_FIELDS):
        raise _fail(source, where, message("document.policy_number_format", text=text))
    return text


def _issuer(value: str, source: str, where: str) -> str:
    if value not in UNIT_ISSUERS and value not in UNIT_KINDS:
        raise _fail(source, where, message("document.policy_issuer", value=value, kinds=message("value.list_separator").join(UNIT_KINDS)))
    return value


def parse_kind(key: str, raw: Mapping[str, Any], roles: Mapping[str, str], bodies: Iterable[str],
               source: str) -> DocumentKind:
    """Parse one [kinds.KEY] table."""
    where = message("document.policy_kind_where", name=key)
    if not isinstance(raw, dict):
        raise _fail(source, where, message("document.policy_kind_not_table"))
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(source, where, message("document.policy_kind_no_name"))
    signers = _strings(raw, "signer_roles", source, where)
    if not signers:
        raise _fail(source, where, message("document.policy_no_signers"))
    for role in signers:
        if role != MEETING_CHAIR and role not in roles:
            raise _fail(source, where, message("document.policy_role_unknown", role=role))
    issuer_by_body = _table(raw, "issuer_by_body", source, where)
    series_by_body = _table(raw, "series_by_body", source, where)
    for body in (*issuer_by_body, *series_by_body):
        if body not in bodies:
            raise _fail(source, where, message("document.policy_body_unknown", body=body))
    for series in series_by_body.values():
        if not set(re.findall(r"{(\w*)}", series)) <= set(SERIES_FIELDS):
            raise _fail(source, where, message("document.policy_series_fields", text=series))
    window = raw.get("window_working_days")
    if window is not None and (not isinstance(window, int) or window < 1):
        raise _fail(source, where, message("document.policy_window"))
    direction = _choice(raw, "direction", DIRECTIONS, None, source, where)
    kind = DocumentKind(
        key=key, name=name.strip(), genre=str(raw.get("genre", name)).strip(), direction=direction,
        layout=_choice(raw, "layout", LAYOUTS, "upward" if direction == "up" else "standard", source, where),
        drafted=_choice(raw, "drafted", DRAFTED, "manual", source, where),
        issuer=_issuer(str(raw.get("issuer", "lead_hospital")), source, where),
        signer_roles=signers, issuer_by_body={b: _issuer(v, source, where) for b, v in issuer_by_body.items()},
        numbered=bool(raw.get("numbered", True)), series=raw.get("series"), series_by_body=series_by_body,
        number_format=_check_format(str(raw.get("number_format", DocumentKind.number_format)), source, where),
        heading_suffix=str(raw.get("heading_suffix", "" if raw.get("layout") in ("letter", "form")
                                   else DocumentKind.heading_suffix)),
        addressees=_strings(raw, "addressees", source, where), cc=_strings(raw, "cc", source, where),
        cc_label=str(raw.get("cc_label", DocumentKind.cc_label)), signature=bool(raw.get("signature", True)),
        dated=_choice(raw, "dated", DATED, "sign_off", source, where), secrecy=str(raw.get("secrecy", "")),
        public_fields=_strings(raw, "public_fields", source, where), window_working_days=window,
        requires_request=bool(raw.get("requires_request", False)),
    )
    if kind.upward and kind.layout != "upward":
        raise _fail(source, where, message("document.policy_upward_layout"))
    return kind


def parse_document_policy(data: Mapping[str, Any], roles: Mapping[str, str], bodies: Iterable[str],
                          source: str = "policies/documents.toml") -> DocumentPolicy:
    """Parse and validate policies/documents.toml against the roles and bodies it names."""
    bodies = tuple(bodies)
    editors = _strings(data, "editor_roles", source, "editor_roles") or ("secretariat",)
    for role in editors:
        if role not in roles:
            raise _fail(source, "editor_roles", message("document.policy_editor_unknown", role=role))
    hierarchy = data.get("hierarchy", {})
    ranks = hierarchy.get("ranks", {})
    if not isinstance(ranks, dict) or any(k not in UNIT_KINDS or not isinstance(v, int) for k, v in ranks.items()):
        raise _fail(source, "hierarchy.ranks", message("document.policy_ranks", kinds=message("value.list_separator").join(UNIT_KINDS)))
    superiors = _table(hierarchy, "superiors", source, "hierarchy")
    stars = _strings(hierarchy, "star_issuers", source, "hierarchy")
    for kind_name in (*superiors, *stars):
        if kind_name not in UNIT_KINDS:
            raise _fail(source, "hierarchy", message("document.policy_unit_kind_unknown", kind=kind_name))
    raw_kinds = data.get("kinds", {})
    if not isinstance(raw_kinds, dict) or not raw_kinds:
        raise _fail(source, "", message("document.policy_no_kinds"))
    kinds = {key: parse_kind(key, raw, roles, bodies, source) for key, raw in raw_kinds.items()}
    by_issuer = _signers_by_issuer(data, roles, kinds, source)
    organs = _table(data.get("series", {}), "organs", source, "series")
    return DocumentPolicy(kinds=kinds, editor_roles=editors, printing_office=str(data.get("printing_office", "")),
                          ranks=dict(ranks), superiors=superiors, star_issuers=stars,
                          contact_note=bool(data.get("contact_note", True)), signers_by_issuer=by_issuer,
                          series_organs=organs)


def _signers_by_issuer(data: Mapping[str, Any], roles: Mapping[str, str], kinds: Mapping[str, DocumentKind],
                       source: str) -> dict[str, tuple[str, ...]]:
    """[signers] by_issuer = { unit kind = [roles] }: every kind an organ issues keeps at least one signer."""
    raw = data.get("signers", {}).get("by_issuer", {})
    if not isinstance(raw, dict):
        raise _fail(source, "signers.by_issuer", message("permission.signers_not_table"))
    found = {}
    for issuer, listed in raw.items():
        if issuer not in UNIT_KINDS:
            raise _fail(source, "signers.by_issuer", message("permission.signers_unknown_issuer", kind=issuer,
                                                             known=message("value.list_separator").join(UNIT_KINDS)))
        if not isinstance(listed, list) or not listed or any(r not in roles for r in listed):
            raise _fail(source, f"signers.by_issuer.{issuer}", message("permission.signers_unknown_role"))
        found[issuer] = tuple(listed)
    for kind in kinds.values():
        for issuer in {kind.issuer, *kind.issuer_by_body.values()} & found.keys():
            if MEETING_CHAIR not in kind.signer_roles and not set(kind.signer_roles) & set(found[issuer]):
                raise _fail(source, f"kinds.{kind.key}", message("permission.signers_none", kind=kind.name,
                                                                 issuer=issuer))
    return found


def check_workflow_documents(policy: DocumentPolicy, workflows: Iterable[Any]) -> None:
    """Refuse a workflow step that names a document kind documents.toml does not define."""
    for workflow in workflows:
        for step in workflow.steps:
            for key in step.documents:
                if key not in policy.kinds:
                    raise InvalidPolicy(source=message("document.policy_step_where", source=workflow.source,
                                                       step=step.key),
                                        reason=message("document.kind_unknown_in_step", name=key,
                                                       kinds=message("value.list_separator").join(policy.kinds)))


# --------------------------------------------------------------------------------------------
# formats


def cn_date(day: date) -> str:
    """The date of a document: Arabic numerals, full year, no zero padding, each number followed by its unit word."""
    return message("document.date", year=day.year, month=day.month, day=day.day)


def series_text(template: str, issuer_short_name: str) -> str:
    """A series_by_body value with the issuing unit's short name put in place of {issuer}."""
    return template.replace("{issuer}", issuer_short_name)


def printed_number(kind: DocumentKind, number: str, series: str | None) -> str:
    """The number as the page prints it: the minutes' without its series (the series is their heading's name)."""
    if kind.layout == "minutes" and series and number.startswith(series):
        return number[len(series):]
    return number


def download_stem(number: str | None, series: str | None, title: str) -> str:
    """The name a signed document downloads under: the doc_number without the issuing organ's code, then the title."""
    short = number[len(series):] if number and series and number.startswith(series) else (number or "")
    return f"{short} {title}".strip()


def format_number(kind: DocumentKind, series: str, year: int, serial: int) -> str:
    """A doc_number: organ's code, year in hexagonal brackets, serial unpadded; for minutes, the issue number."""
    return kind.number_format.format(series=series, year=year, serial=serial)


def subject_of(title: str) -> str:
    """The subject of a title: the title without its "concerning ..." frame and the closing kind word."""
    text = title.strip()
    # the 关于 … 的议题 frame of a title, matched in what people typed (patterns, not wording)
    text = re.sub(typesetting.TITLE_FRAME_START, "", text)
    text = re.sub(typesetting.TITLE_FRAME_END, "", text)
    return text or title.strip()


def join_names(names: Iterable[str]) -> str:
    return message("value.list_separator").join(n for n in names if n)


# --------------------------------------------------------------------------------------------
# rules a document must keep before it may be signed


@dataclass(frozen=True)
class UnitFacts:
    """What the rules need to know about a named unit."""

    name: str
    kind: str


def check_distribution(kind: DocumentKind, policy: DocumentPolicy, issuer_kind: str, addressees: Iterable[str],
                       cc: Iterable[str], units: Mapping[str, UnitFacts], person_names: Iterable[str],
                       joint: Iterable[str] = ()) -> None:
    """Refuse principal addressees / copies the rules forbid (upward documents: one addressee, never a person, never a
    subordinate).

    joint: the units that must all approve the step the document is drafted for (health commission, human
    resources and social security bureau, finance bureau): a joint request for instructions goes to exactly those,
    or to one of them.
    """
    addressees, cc = list(addressees), list(cc)
    if not kind.upward:
        return
    if len(addressees) != 1 and not (len(addressees) > 1 and sorted(addressees) == sorted(joint)):
        raise InvalidInput.because("document.upward_one_addressee", kind=kind.name, count=len(addressees))
    people = set(person_names)
    for name in addressees:
        if name in people:
            raise InvalidInput.because("document.upward_to_person", kind=kind.name, name=name)
    issuer_rank = policy.ranks.get(issuer_kind)
    for name in cc:
        unit = units.get(name)
        if unit is None or issuer_rank is None or unit.kind not in policy.ranks:
            continue
        if policy.ranks[unit.kind] > issuer_rank:
            raise InvalidInput.because("document.upward_cc_subordinate", name=name)


def request_warnings(kind: DocumentKind, body: str) -> list[str]:
    """Warn when a report carries a request (it must not: requests go in a request for instructions)."""
    if kind.genre != REPORT_GENRE:
        return []
    found = [w for w in REQUEST_WORDS if w in body]
    words = message("document.quote_separator").join(found)
    return [message("document.report_with_request", words=words)] if found else []


def document_policy_of(raw: Mapping[str, Any], policy_set: Any) -> DocumentPolicy:
    """The document policy stored with a policy version (EMPTY_POLICY before documents.toml existed)."""
    data = raw.get("documents")
    if data is None:
        policy = EMPTY_POLICY
    else:
        source = raw.get("sources", {}).get("documents", "policies/documents.toml")
        policy = parse_document_policy(data, policy_set.roles, policy_set.bodies, source)
    check_workflow_documents(policy, policy_set.workflows.values())
    return policy
