"""What makes a sentence specific: the kinds of concrete detail a check may ask for.

A check (see `grading.checklist`) passes on one sentence that names its concept *and*
carries the detail it needs: a quantity with its unit, a baseline-to-result change, a
threshold, an owner, a date, a reason, a rejected alternative, a first-person action,
a condition. Numbers that carry nothing (years, versions, times of day, ticket ids)
are not quantities, so a sentence of vanity figures stays generic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

_NUM = r"(?:\d+(?:[.,]\d+)*(?:\.\d+)?)"
_WORD_NUM = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|hundred|a hundred|a thousand|thousand|million|billion|half|a dozen|dozen)"
)
_UNITS = (
    r"(?:%|percent|pct|pp|bps|ms|msec|milliseconds?|µs|us|ns|s|sec|secs|seconds?|mins?|minutes?|"
    r"h|hr|hrs|hours?|d|days?|weeks?|wks?|months?|quarters?|years?|yrs?|k|m|b|bn|mm|x|×|"
    r"rps|qps|tps|req/s|rpm|ops/s|/s|/sec|/day|/month|per (?:second|sec|minute|hour|day|month|"
    r"year|request|user|tenant|node|host|shard)|requests?|reqs?|calls?|writes?|reads?|events?|"
    r"messages?|msgs?|jobs?|links?|rows?|records?|keys?|items?|points?|samples?|series|"
    r"gb|tb|mb|pb|kb|gib|tib|mib|bytes?|gbps|mbps|"
    r"users?|customers?|merchants?|tenants?|accounts?|orders?|transactions?|payments?|"
    r"nodes?|hosts?|servers?|instances?|vms?|pods?|cores?|vcpus?|cpus?|shards?|partitions?|"
    r"replicas?|regions?|zones?|azs?|clusters?|services?|teams?|engineers?|people|devs?|"
    r"pages?|alerts?|incidents?|tickets?|deploys?|releases?|builds?|tests?|errors?|failures?|"
    r"dau|mau|sessions?|devices?|clients?|tokens?|documents?|docs?|files?|queries|query)"
)
#: A number with a unit, a currency amount, a multiplier or a percentage.
_QUANTITY = re.compile(
    rf"(?:[$€£]\s?{_NUM}(?:\s?[kmb]n?\b)?|{_NUM}\s?{_UNITS}(?![a-z])|"
    rf"\b{_WORD_NUM}\s+(?:[a-z-]+\s+)?(?:{_UNITS})\b|"
    rf"\b(?:{_WORD_NUM}|{_NUM})-(?:second|minute|hour|day|week|month|quarter|year|sprint|person|"
    rf"team|node|shard|region)s?\b|\b{_NUM}\s?(?:thousand|million|billion)\b|"
    rf"\bp(?:50|90|95|99|999)\b|\b(?:halved|doubled|tripled|tenfold|10x|2x|3x)\b)",
    re.IGNORECASE,
)
#: Numbers that carry no measure: years, versions, times of day, dates, ids, list numbering.
_NOT_QUANTITY = re.compile(
    r"\b(?:19|20)\d\d(?:-\d\d(?:-\d\d)?)?\b(?!\s?(?:%|ms|rps|qps|users|requests|gb|tb))|"
    r"\bv\d+(?:\.\d+)*\b|\b\d+\.\d+\.\d+\b|\b\d{1,2}:\d{2}(?::\d{2})?\s?(?:utc|am|pm|z)?\b|"
    r"\b[A-Z]{2,}-\d+\b|#\d+\b",
    re.IGNORECASE,
)
_CHANGE = re.compile(
    rf"(?:\bfrom\s+(?:about\s+|around\s+|~)?[$€£]?{_NUM}[^.;\n]{{0,40}}?\bto\s+(?:about\s+|~)?[$€£]?{_NUM}|"
    rf"{_NUM}[^.;\n]{{0,16}}(?:→|->|=>|⇒)\s*[$€£]?~?{_NUM}|"
    rf"\b(?:reduc|cut|drop|lower|increas|improv|rais|grew|grow|sav|shrank|shrink|halv|doubl|"
    rf"tripl|fell|fall|rose|rise|decreas|eliminat|remov|brought|speed|sped|"
    rf"shorten|trimm|slash)\w*\b[^.;\n]{{0,60}}?(?:{_NUM}|{_WORD_NUM}|half|zero)|"
    rf"\b(?:down|up)\s+from\s+[$€£]?{_NUM}|"
    rf"\b(?:a|one)\s+(?:half|third|quarter|fifth|tenth)\s+of\s+(?:the|its|our)\b|"
    rf"[-+−]\s?{_NUM}\s?%|{_NUM}\s?%\s+(?:fewer|less|more|faster|slower|lower|higher|cheaper|"
    rf"reduction|drop|increase|improvement|decrease))",
    re.IGNORECASE,
)
_THRESHOLD = re.compile(
    rf"(?:(?:>=|<=|≥|≤|>|<)\s?[$€£]?~?{_NUM}|"
    rf"\b(?:above|below|over|under|exceed\w*|beyond|past|more than|less than|fewer than|"
    rf"greater than|lower than|higher than|at least|at most|no more than|up to|within|"
    rf"reach\w*|hits?|crosses|drops? below|falls? below|rises? above|goes? above|"
    rf"breach\w*|burns?|burning|exhaust\w*|consum\w*)\s+(?:the\s+|a\s+|an\s+|its\s+|our\s+)?"
    rf"(?:\w+\s+){{0,2}}?[$€£]?~?(?:{_NUM}|{_WORD_NUM})|"
    rf"\b{_NUM}\s?(?:%|x|×)?\s+or\s+(?:more|less|fewer|higher|lower|above|below)\b|"
    rf"\b(?:budget|threshold|limit|ceiling|cap|target|slo|sla)\s+(?:of|is|at|=|:)\s+[$€£]?~?{_NUM})",
    re.IGNORECASE,
)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    rf"(?:\b(?:19|20)\d\d-\d\d-\d\d\b|\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b|"
    rf"\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\b|"
    rf"\b{_MONTHS}\s+(?:19|20)\d\d\b|\bq[1-4]\b(?:\s*(?:19|20)?\d\d)?|\bh[12]\s+(?:19|20)\d\d\b|"
    rf"\bby\s+(?:the\s+)?(?:end of|eod|eow|eom|eoq|mid-|monday|tuesday|wednesday|thursday|"
    rf"friday|next|{_MONTHS}|q[1-4]|week|sprint|\d)|"
    rf"\bwithin\s+(?:\d+|{_WORD_NUM}|a|one)\s+(?:business\s+|working\s+)?(?:days?|weeks?|months?|sprints?|quarters?)\b|"
    rf"\b(?:due|deadline|eta|target date|no later than)\b|\bnext\s+(?:week|month|quarter|sprint|release)\b|"
    rf"\bbefore\s+(?:the\s+)?(?:{_MONTHS}|next|end of|q[1-4]\b)|"
    rf"\bsprint\s+\d+\b|\bweek\s+\d+\b|\b(?:end|start) of (?:the )?(?:week|month|quarter|year|q[1-4])\b)",
    re.IGNORECASE,
)
_OWNER = re.compile(
    r"(?:\b(?i:owners?|owned by|assigned to|assignee|dri|accountable|responsible)\b|@[a-z][\w.-]+|"
    r"\b(?:[A-Z][a-z]+|[A-Z]{2,})\s+\((?:[A-Za-z][\w &/-]{1,30})\)|"
    r"(?<=\S)\s+[–—-]\s+(?:owner\s+)?[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s*(?:[,;.)(|]|$)|"
    r"\|\s*[A-Z][a-z]+(?:\s[A-Z]\.?)?\s*(?:\(|\|)|"
    r"\b(?:the\s+)?[a-z]+(?:[ -][a-z]+)?\s+team\s+(?:owns|will|to|is on|leads|drives)\b|"
    r"[;,(|]\s*(?:the\s+)?[\w-]+(?:\s[\w-]+)?\s+(?:team|squad|on-call|oncall|guild|sre)\s*[,;.)|]|"
    r"\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s+(?:owns|to (?:add|build|write|fix|ship|run|own|drive|lead|"
    r"review|update|publish|migrate|remove|automate|document|investigate|deliver|implement)|"
    r"will (?:own|add|build|write|fix|ship|run|drive|lead|review|update|publish|deliver|implement))\b|"
    r"\b(?i:owner|lead|dri)\s*[:=]\s*\S|"
    # "(messaging, 14 Jun)", "(growth engineering, before the July rotation)": who, then when.
    rf"\(\s*[A-Za-z][\w&/.-]*(?:\s[A-Za-z][\w&/.-]*){{0,2}},\s*(?i:due\s+|by\s+|before\s+|end of|within|"
    rf"next|q[1-4]\b|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}|{_MONTHS}\s+\d|(?:19|20)\d\d-\d\d))",
)
_NOT_OWNER_NAMES = frozenset(
    "We I The This That It They Our You He She Each Every All Then Also If When Once After Before "
    "Team Teams Nobody Someone Everyone Nothing One".split()
)
_CAUSAL = (
    "because",
    "so that",
    "so we",
    "so the",
    "so it",
    "so our",
    "so each",
    "so every",
    "so no",
    ", so",
    "caused",
    "causes",
    "causing",
    "led to",
    "leads to",
    "resulted in",
    "results in",
    "resulting in",
    "due to",
    "therefore",
    "as a result",
    "which meant",
    "which means",
    "meaning",
    "triggered",
    "triggers",
    "since the",
    "since we",
    "since it",
    "which caused",
    "which made",
    "that made",
    "in order to",
    "to avoid",
    "to prevent",
    "to keep",
    "which is why",
    "that is why",
    "the reason",
    "why:",
    "allowed",
    "enabled",
    "made it possible",
    "let the",
    "otherwise",
    "lets",
    "helps",
    "tells",
    "shows",
    "→",
    "->",
    "given",
    "thanks to",
    "driven by",
    "forced",
    "forcing",
    # "shipped without a canary" explains; "jumped in without being asked" does not.
    "without a",
    "without an",
    "without any",
    "without the",
    "without its",
    "without their",
    "without all",
    "without both",
    "without review",
    "without approval",
    "without testing",
    "without checking",
    "without validation",
)
_CONTRAST = (
    "instead of",
    "rather than",
    "chosen over",
    "chose it over",
    "preferred over",
    "picked over",
    "vs",
    "vs.",
    "versus",
    "compared to",
    "compared with",
    # "We rejected X", not a runtime event ("if the credit is rejected").
    "we rejected",
    "i rejected",
    "rejected it",
    "rejected because",
    "rejected for",
    "was rejected",
    "were rejected",
    "ruled out",
    "trade-off",
    "tradeoff",
    "at the cost of",
    "at the expense of",
    "in exchange for",
    "whereas",
    "unlike",
    "we considered",
    "considered",
    "the downside",
    "downside",
    "the catch",
    "but it",
    "but we",
    "but this",
    "but that",
    "but the",
    "but costs",
    "we lose",
    "we give up",
    "gives up",
    "loses",
    "costs us",
    "cheaper",
    "simpler",
    "won because",
    "lost because",
    "worse",
    "better",
    "beat",
    "beats",
    "more than",
    "outweigh*",
    "wins over",
    ", not",
    "not the",
    "the cost",
    "cost i",
    "the price",
    "paid",
    "we paid",
    "i accepted",
    "we accepted",
    "not worth",
    "worth it",
)
_FIRST_PERSON = re.compile(
    r"\bI(?:'d|’d|'ve|’ve)?\s+(?!(?:was|am|think|thought|guess|feel|felt|believe|don't|didn't|"
    r"do|did not|had|have|mean|suppose|remember|know|knew|joined|were|would like|hope|"
    r"wish|like|love|want(?:ed)?|really|just)\b)[a-z]+|\bmy\s+(?:proposal|decision|call|plan|"
    r"design|doc|idea|recommendation|change|mistake|fix|role|part)\b"
)
#: A list item or line that starts with a past-tense action and no subject ("- Drafted a role
#: card"): the speaker's own action, as résumés and "What I did" lists write it.
_IMPLICIT_I = re.compile(
    r"^\s*(?:[-*•+]\s+|\d+[.)]\s+)?(?:Then\s+|Also\s+|First,?\s+|Next,?\s+)?"
    r"(?:[A-Z][a-z]+ed|Led|Ran|Got|Wrote|Built|Took|Made|Set|Drove|Met|Sat|Spent|Gave|Told|"
    r"Brought|Chose|Found|Put|Cut|Held|Kept|Began|Won|Sent|Shared|Split|Shut|Sold|Threw|"
    r"Taught|Sought|Rewrote|Undertook|Oversaw|Withdrew|Froze|Broke)\b"
    r"(?!\s+(?:by|to be|as a))"
)
_NOT_ACTIONS = frozenset({"Based", "Needed", "Limited", "Expected", "Related", "United", "Red"})
_CAUSAL_RE = re.compile(
    r"\bwhy\b[^?\n]{0,120}\?\s+\S|"  # a five-whys question with its answer
    r"\bso\s+(?:that|a|an|the|we|it|they|our|each|every|no|any|its|their|this|users?|callers?|"
    r"clients?|customers?|on-call|nobody|none|one|only|even)\b|"
    r"\b(?:stops?|prevents?|keeps?|blocks?|protects?|shields?)\b[^.;]{0,40}\bfrom\b|"
    r"\blets?\s+(?:\w+\s+){0,2}(?:tell|see|find|know|spot|catch|detect|distinguish|decide|"
    r"act|roll|page)\b|"
    r"\b(?:which|that|this|it)\s+(?:then\s+)?(?:removed|cut|let|made|gave|took|brought|meant|"
    r"kept|put|reduced|dropped|saved|freed|stopped|prevented|avoided|unblocked|halved|doubled|"
    r"eliminated|ended|shortened|lowered|raised|increased|improved|allowed|enabled|caused|"
    r"forced|turned|became|exposed|hid|masked|delayed|broke|removes|cuts|lets|makes|gives|"
    r"means|keeps|reduces|saves|stops|prevents|avoids|allows|enables|causes|forces)\b",
    re.IGNORECASE,
)
_CONDITION = re.compile(
    r"\b(?:if|when|whenever|once|unless|as soon as|the moment|until|in case|upon)\b",
    re.IGNORECASE,
)
_WINDOW = re.compile(
    rf"(?:\b(?:daily|weekly|monthly|quarterly|hourly|nightly|yearly|annually|biweekly)\b|"
    rf"\b(?:over|per|in|within|across|every|each|rolling|trailing|for|during|after)\s+"
    rf"(?:a\s+|the\s+|an\s+)?(?:next\s+|last\s+|past\s+|following\s+|first\s+|whole\s+)?"
    rf"(?:{_NUM}|{_WORD_NUM})?[\s-]?(?:s|sec|seconds?|m|mins?|minutes?|h|hours?|hr|days?|d|weeks?|"
    rf"months?|quarters?)\b|\b{_NUM}[\s-]?(?:day|d|hour|h|minute|min|m|week)\s+(?:window|budget|"
    rf"period|lookback)\b|\b(?:28|30|7)[\s-]day\b|\b(?:1|5|6|30|60)\s?(?:m|h)\b)",
    re.IGNORECASE,
)


def _phrase_test(phrases: tuple[str, ...]) -> Callable[[str], bool]:
    from simulator.phrases import contains_any

    def test(text: str) -> bool:
        padded = f" {text} "
        return contains_any(text, phrases) or any(
            p.startswith(" ") and p in padded for p in phrases
        )

    return test


_CAUSAL_PHRASES = _phrase_test(_CAUSAL)
_CONTRAST_PHRASES = _phrase_test(_CONTRAST)
#: "We chose RAG over fine-tuning": `over` as a contrast only after a choice.
_CHOSE_OVER = re.compile(
    r"\b(?:chose|chosen|choose|choosing|pick(?:ed)?|prefer(?:red|s)?|went with|go with|"
    r"selected|select|opted for|favou?r(?:ed)?|took)\b[^.;\n]{0,60}\bover\b",
    re.IGNORECASE,
)


def _contrast(text: str) -> bool:
    return _CONTRAST_PHRASES(text) or bool(_CHOSE_OVER.search(text))


def has_quantity(text: str) -> bool:
    """A measured value: a number with a unit, an amount, a percentage (not a year or id)."""
    cleaned = _NOT_QUANTITY.sub(" ", text)
    return bool(_QUANTITY.search(cleaned))


def has_change(text: str) -> bool:
    """A baseline and a result, or a change by an amount ("from 40 to 4 pages", "-65%")."""
    return bool(_CHANGE.search(_NOT_QUANTITY.sub(" ", text)))


def has_threshold(text: str) -> bool:
    """A limit that triggers or bounds something ("above 2%", "p99 < 300 ms", "at most 5")."""
    return bool(_THRESHOLD.search(_NOT_QUANTITY.sub(" ", text)))


def has_owner(text: str) -> bool:
    """Who is responsible: an owner field, a handle, a named person or team with an action."""
    for m in _OWNER.finditer(text):
        first = m.group(0).strip(" (|–—-").split()[0] if m.group(0).strip(" (|–—-") else ""
        if first in _NOT_OWNER_NAMES:
            continue
        return True
    return False


def has_date(text: str) -> bool:
    """When: a calendar date, a quarter, a deadline ("by end of Q3", "within 2 weeks")."""
    return bool(_DATE.search(text))


_CLOCK = re.compile(
    r"\b\d{1,2}:\d{2}(?::\d{2})?\b|\bT\s?[+-]\s?\d+\s?(?:m|min|h|s)?\b|"
    r"\b(?:19|20)\d\d-\d\d-\d\dT\d\d",
    re.IGNORECASE,
)


#: An instruction or commitment: a line that starts with a base-form verb ("- Add a pool-size
#: check"), or a future/obligation with a verb ("we will add", "must alert", "Priya to add").
_DIRECTIVE = re.compile(
    r"^\s*(?:[-*•+]\s+|\d+[.)]\s+|\[[ x]\]\s+)?(?:\*\*[^*]{1,40}\*\*:?\s*)?(?:[A-Z][\w -]{0,30}:\s+)?"
    r"(?:Add|Build|Create|Write|Move|Replace|Remove|Enforce|Require|Block|Validate|Alert|Page|Test|"
    r"Automate|Introduce|Implement|Migrate|Deprecate|Retire|Document|Train|Drill|Run|Split|Shard|"
    r"Cap|Limit|Rate-limit|Fix|Ship|Publish|Update|Upgrade|Deploy|Roll|Rotate|Instrument|Monitor|"
    r"Track|Review|Audit|Backfill|Switch|Adopt|Define|Set|Make|Change|Extend|Reduce|Raise|Lower|"
    r"Disable|Enable|Delete|Archive|Schedule|Hold|Investigate|Evaluate|Spike|Prototype|Measure|Own|"
    r"Assign|Decide|Decommission|Consolidate|Standardi[sz]e|Encrypt|Restrict|Revoke|Tag|Label|Gate|"
    r"Canary|Stage|Pin|Bump|Tune|Reconcile|Verify|Check|Open|File|Draft|Agree|Announce|Communicate|"
    r"Separate|Isolate|Exclude|Alarm|Backport|Freeze)\b|"
    r"\b(?:will|shall|'ll|to be|is to|are to|must|needs? to|plan(?:s|ned)? to|going to)\s+(?:\w+\s+)?"
    r"(?:add|build|create|write|move|replace|remove|enforce|require|block|validate|alert|page|test|"
    r"automate|introduce|implement|migrate|deprecate|retire|document|train|run|split|cap|limit|fix|"
    r"ship|publish|update|upgrade|deploy|roll|rotate|instrument|monitor|track|review|audit|backfill|"
    r"switch|adopt|define|set|make|change|extend|reduce|disable|enable|delete|schedule|investigate|"
    r"evaluate|measure|own|decommission|consolidate|encrypt|restrict|revoke|gate|stage|verify|check|"
    r"draft|cut|land|finish|complete|deliver)\b|"
    r"\b[A-Z][a-z]+\s+to\s+(?:add|build|create|write|move|replace|remove|fix|ship|publish|update|"
    r"run|own|drive|lead|review|migrate|automate|document|investigate|deliver|implement|draft|check)\b|"
    r"(?:->|→|=>|⇒|:)\s*(?i:separate|isolate|exclude|add|build|create|write|move|replace|remove|"
    r"enforce|require|block|"
    r"validate|alert|page|test|automate|introduce|implement|migrate|deprecate|retire|document|"
    r"train|run|split|cap|limit|fix|ship|publish|update|upgrade|deploy|roll|rotate|instrument|"
    r"monitor|track|review|audit|backfill|switch|adopt|define|set|make|change|extend|reduce|"
    r"disable|enable|delete|schedule|investigate|evaluate|measure|gate|stage|verify|check|"
    r"every|all|each|alerts?|pages?|tests?)\b|"
    r"\b(?i:action(?: item)?s?\s*[:#]|todo\s*:|ticket\s*[:#])|\b[A-Z]{2,}-\d+\b",
)
_SIZING = re.compile(
    r"\b(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|eight|ten|twelve|sixteen|twenty|a few|a dozen)"
    r"\s+(?:[\w.-]+\s+){0,2}?(?:nodes?|shards?|partitions?|hosts?|servers?|instances?|brokers?|"
    r"replicas?|pods?|workers?|consumers?|machines?|boxes|cores?|vcpus?|cpus?|gpus?|clusters?|cells?|"
    r"ingesters?|indexers?|planners?|dispatchers?|gateways?|proxies|caches?|racks?)\b|"
    r"\b\d+\s?%\s+(?:cpu|utili[sz]ation|headroom|capacity|of capacity|busy|full)\b|"
    r"\b(?:headroom|utili[sz]ation|capacity)\s+(?:of|at|to|is)\s+~?\d+\s?%",
    re.IGNORECASE,
)
_PERSON_STOP = frozenset(
    """We I The This That It They Our You Each Every All Then Also If When Once After Before
    Team Teams Nobody Someone Everyone Nothing One No Not None Some Most Many Both Either Neither
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
    July August September October November December Kafka Redis Terraform Kubernetes Postgres
    PostgreSQL MySQL Envoy Istio Helm Argo Flux Jenkins GitHub GitLab Slack Jira Datadog Grafana
    Prometheus Vault Consul Nginx Linux Java Python Go Node Chrome Android Apple Google Amazon Azure
    Stripe Cloudflare Spinnaker Spark Flink Airflow Snowflake BigQuery Elasticsearch OpenSearch
    Cassandra DynamoDB Lambda CloudFront Akamai Fastly Okta Sentry PagerDuty Opsgenie Docker AWS
    GCP Kong Celery Rails Django React Our Their His Her Its Since While Because During Until
    Customer Customers Support Engineering Product Platform Security Legal Finance Sales Ops SRE
    Root Summary Impact Timeline Action Actions Owner Status Date Context Decision Alternatives
    Risk Risks Result Results Situation Task Reflection Lesson Lessons Detection Resolution
    Why What How Who Where Which Whose There Here These Those Nor Yet Still Later Earlier Today
    Yesterday Tomorrow Tonight Everybody Anybody Anyone Somebody Users User Engineers""".split()
)
_PERSON = re.compile(
    r"(?:(?<=[a-z,;:] )|^|(?<=\. ))([A-Z][a-z]{2,}|He|She)(?:'s)?\s+(?:did|didn't|forgot|failed|should|"
    r"ignored|skipped|pushed|deployed|merged|ran|made|was|wasn't|had|approved|missed|broke|caused|"
    r"typed|changed|set|disabled|deleted|dropped|overrode|bypassed|rushed|never|restarted|rebooted|"
    r"killed|removed|edited|applied|executed|started|stopped|assumed|misconfigured|misread|overlooked|"
    r"accidentally|wrongly|mistakenly|then|just|also|admits|admitted|copied|chose)\b|"
    # "caused by Dave deploying", "the migration run by Kevin"
    r"\b(?:caused|run|made|done|pushed|triggered|started|deployed|introduced|submitted|applied|"
    r"executed|merged|written|approved)\s+by\s+([A-Z][a-z]{2,})\b(?!\s+(?:team|Inc|Ltd|Corp))|"
    # an initial standing for a person: "K. did not follow the process"
    r"(?<![\w.])([A-Z])\.\s+(?:did|didn't|should|had|was|wasn't|forgot|failed|ran|made|pushed|"
    r"deployed|changed|deleted|restarted|edited|ignored|skipped|never)\b"
)


def has_directive(text: str) -> bool:
    """An instruction or commitment to do something ("Add a check", "we will migrate")."""
    return bool(_DIRECTIVE.search(text))


def has_sizing(text: str) -> bool:
    """A count of machines or partitions, or a utilisation/headroom figure ("3 Redis shards")."""
    return bool(_SIZING.search(_NOT_QUANTITY.sub(" ", text)))


def has_person(text: str) -> bool:
    """A named person as the subject of an action ("Jordan did not check", "Dave's change")."""
    return any(next(g for g in m.groups() if g) not in _PERSON_STOP for m in _PERSON.finditer(text))


def has_time(text: str) -> bool:
    """A clock time or an offset from the start ("14:02 UTC", "T+12m")."""
    return bool(_CLOCK.search(text))


def has_first_person(text: str) -> bool:
    """An action of the speaker's own ("I proposed", "my decision", "- Drafted a role card")."""
    if _FIRST_PERSON.search(text):
        return True
    m = _IMPLICIT_I.match(text)
    return bool(m) and m.group(0).split()[-1] not in _NOT_ACTIONS


def _causal(text: str) -> bool:
    return _CAUSAL_PHRASES(text) or bool(_CAUSAL_RE.search(text))


def has_condition(text: str) -> bool:
    """A condition ("if", "when", "once", "unless")."""
    return bool(_CONDITION.search(text))


def has_window(text: str) -> bool:
    """A time window ("over 30 days", "per hour", "a 1h window")."""
    return bool(_WINDOW.search(text))


@lru_cache(maxsize=1)
def kinds() -> dict[str, Callable[[str], bool]]:
    """Every specificity kind a check may name in `needs` / `needs_any`."""
    return {
        "quantity": has_quantity,
        "change": has_change,
        "threshold": has_threshold,
        "owner": has_owner,
        "date": has_date,
        "causal": _causal,
        "contrast": _contrast,
        "first_person": has_first_person,
        "condition": has_condition,
        "window": has_window,
        "time": has_time,
        "directive": has_directive,
        "sizing": has_sizing,
        "person": has_person,
    }


#: What a sentence lacks, in the user's words, when it names the concept without the detail.
LACKS = {
    "quantity": "a number with its unit",
    "change": "the baseline and the result (from what, to what)",
    "threshold": "the threshold that triggers it",
    "owner": "who owns it",
    "date": "by when",
    "causal": "why (what causes what)",
    "contrast": "what it was weighed against",
    "first_person": "what you did yourself",
    "condition": "the condition under which it happens",
    "window": "the time window",
    "time": "the time it happened",
    "directive": "what will be done (an action)",
    "sizing": "how many machines or partitions it takes",
    "person": "a named person",
}

KIND_NAMES = tuple(LACKS)
