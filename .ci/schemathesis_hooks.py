"""mipstock's own check for schemathesis: schema-valid data is accepted.

It replaces schemathesis' `positive_data_acceptance` (disabled in schemathesis.toml) with the
same rule and no blanket exception for 422: a request the schema allows may get 422 only for a
rule no JSON Schema can state, and then every field error must say which (an id that names
nothing, a GS1 check digit, a date judged against today or against the lot, a state of stored
data). Any other 422 means the document says too little.
"""
import re

import hypothesis.internal.lambda_sources as _lambda_sources
import jsonschema_rs
import schemathesis

# CPython 3.11.7's `ast.parse` can raise "AST constructor recursion depth mismatch" when it runs
# deep in a stack (gh-106905, fixed in later releases); hypothesis parses a module to describe a
# filter lambda, for messages only. A failed description must not abort the run.
_describe = _lambda_sources._lambda_description


def _lambda_description(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except SystemError:
        return "lambda: <unknown>"


_lambda_sources._lambda_description = _lambda_description

# The statuses schemathesis itself accepts for schema-valid data (its defaults, minus 5xx).
ACCEPTED = {401, 403, 404, 409, 429}

# What a 422 to schema-valid data may say: rules that depend on stored data or on today.
RULES_NO_SCHEMA_CAN_STATE = (
    "no such ",  # an id or a code that names nothing
    "wrong GS1 check digit",
    "cannot read the code",  # a GS1 message: its AIs, dates and check digits
    "the scanned code",  # what a code holds (a lot, an expiry, a serial) decides what else a line needs
    "not an excursion",  # a fridge that stayed within 2–8 °C: max and min judged together
    "must not be above",  # two fields compared (an excursion's min and max)
    "is already past",  # an expiry judged against the movement's date
    "must not be in the future",  # judged against now
    "before the lot's first receipt",
    "is not active",  # a patient's status
    "is inactive",  # an item's or a location's state
    "belongs to another item",
    "must differ from",  # two fields of one request compared
    "lists more serials than units",
    "is already counted by",
    "the procedure has no line",
    "must not be before",  # an order's expected_on against its ordered_on
    "nothing to order",  # the forecast, judged today, suggests no order
    "order it by hand",  # a forecast suggestion above the largest quantity a line takes
)
# A property unique across the items of a list: JSON Schema's uniqueItems compares whole items.
UNIQUE_PER_LINE = (re.compile(r"^lines\[\d+\]\.item_id$"), "is listed twice")


def _is_rule(error):
    message, field = error.get("message", ""), error.get("field", "")
    if any(rule in message for rule in RULES_NO_SCHEMA_CAN_STATE):
        return True
    pattern, said = UNIQUE_PER_LINE
    return bool(pattern.match(field)) and said in message


_validators = {}


def _body_is_valid(case):
    """Whether the body really fits the operation's schema: schemathesis' coverage phase can
    label as positive a body built across the branches of a `oneOf`."""
    body = case.body
    if body is None or not isinstance(body, (dict, list)):
        return True
    key = (case.method, case.operation.path)
    if key not in _validators:
        raw = case.operation.schema.raw_schema
        operation = raw["paths"][case.operation.path][case.method.lower()]
        schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        _validators[key] = (
            None
            if schema is None
            else jsonschema_rs.Draft202012Validator(
                {**schema, "components": raw.get("components", {})}, validate_formats=True
            )
        )
    validator = _validators[key]
    return validator is None or validator.is_valid(body)


def _rule_errors(response):
    try:
        body = response.json()
    except Exception:  # noqa: BLE001 - a non-JSON 422 is itself a failure
        return None
    errors = body.get("errors") if isinstance(body, dict) else None
    if not errors:
        return None
    return [e for e in errors if not _is_rule(e)]


@schemathesis.check
def schema_valid_data_is_accepted(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or not _body_is_valid(case):
        return None
    status = response.status_code
    if 200 <= status < 400 or status in ACCEPTED:
        return None
    if status == 422:
        unexplained = _rule_errors(response)
        if unexplained == []:
            return None
        raise AssertionError(
            "Schema-valid data refused with 422 for a rule the schema could state: "
            f"{unexplained if unexplained is not None else response.text[:500]}"
        )
    if status >= 500:
        return None  # not_a_server_error reports these
    raise AssertionError(f"Schema-valid data refused with {status}: {response.text[:500]}")
