"""The field types the schemas share: text, links and rich text, values carried as JSON text, id lists, the
`order` parameter, and the output formats of times (app/timefmt.py)."""

from marshmallow import ValidationError, fields, validate

from app.inputs import JSONInputError, parse_json
from app.sanitize import clean_html, url_error
from app.timefmt import fmt_date, fmt_datetime, fmt_iso, fmt_iso_millis, fmt_minute

# Mainland China mobile numbers.
MOBILE = r"^1[3-9][0-9]{9}\Z"  # \Z, not $: a final newline is not part of a number

# --- text ---------------------------------------------------------------------------------------------------


class Stripped(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def text(label: str, max_len: int, required: bool = False, **kwargs) -> fields.String:
    """A stripped string of at most `max_len` characters ('' when absent); a required one may not be blank."""
    if required:
        check = validate.Length(1, max_len, error=f"不能为空且长度不能超过{max_len}")
        return Stripped(required=True, validate=check, metadata={"label": label}, **kwargs)
    check = validate.Length(max=max_len, error=f"长度不能超过{max_len}")
    return Stripped(load_default="", validate=check, metadata={"label": label}, **kwargs)


def plain_text(label: str, max_len: int, required: bool = False) -> fields.String:
    """A string kept as sent, of at most `max_len` characters (None when absent); a required one not empty."""
    length = validate.Length(1 if required else 0, max_len, error=f"长度须为{1 if required else 0}到{max_len}")
    kwargs = {"required": True} if required else {"load_default": None}
    return fields.String(validate=length, metadata={"label": label}, **kwargs)


class SafeUrl(Stripped):
    """A link or picture: an http(s) URL or a statics/ path (app/sanitize.py), stripped; '' when blank.
    Anything else (javascript:, data:, markup) is a type error (301)."""

    def __init__(self, label: str, max_len: int = 512, required: bool = False, **kwargs):
        if required:
            check = validate.Length(1, max_len, error=f"不能为空且长度不能超过{max_len}")
        else:
            check = validate.Length(max=max_len, error=f"长度不能超过{max_len}")
            kwargs.setdefault("load_default", "")
        super().__init__(required=required, validate=check, metadata={"label": label}, **kwargs)
        self.max_len = max_len

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        # A value too long is the length check's 303, whatever it holds.
        if value and len(value) <= self.max_len and (error := url_error(value)):
            raise ValidationError(error)
        return value


class RichText(fields.String):
    """HTML an editor produced, cleaned by the allow-list of app/sanitize.py before it is stored."""

    def _deserialize(self, value, attr, data, **kwargs):
        return clean_html(super()._deserialize(value, attr, data, **kwargs))


# --- values given as JSON text in a form field, or as real values in a JSON body --------------------------------


class _JSONCarrier(fields.Field):
    """A field that arrives as a JSON string in a form field, or as a real value in a JSON body."""

    inner_type: type = object

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str | bytes):
            try:
                value = parse_json(value)
            except JSONInputError as err:
                raise ValidationError(err.msg) from None
        if not isinstance(value, self.inner_type):
            raise ValidationError("Not a valid list." if self.inner_type is list else "Not a valid mapping type.")
        return self.validate_inner(value)

    def validate_inner(self, value):
        return value


class JSONList(_JSONCarrier):
    """A list (optionally of `item` fields), given as JSON text or a real list."""

    inner_type = list

    def __init__(self, item: fields.Field | None = None, **kwargs):
        super().__init__(**kwargs)
        self.item = item

    def validate_inner(self, value):
        if self.item is None:
            return value
        out, errors = [], {}
        for index, element in enumerate(value):
            try:
                out.append(self.item.deserialize(element))
            except ValidationError as err:
                errors[index] = err.messages
        if errors:
            raise ValidationError(errors)
        return out


class JSONDict(_JSONCarrier):
    inner_type = dict


class JSONNested(JSONDict):
    """An object given as JSON text or a real dict, validated by `schema_cls` (errors keep their path)."""

    def __init__(self, schema_cls, **kwargs):
        super().__init__(**kwargs)
        self.schema_cls = schema_cls

    def validate_inner(self, value):
        try:
            return self.schema_cls().load(value)
        except ValidationError as err:
            raise ValidationError(err.messages) from None


def int_id_list(label: str, **kwargs) -> JSONList:
    return JSONList(fields.Integer(strict=False), metadata={"label": label}, **kwargs)


def order_field(*allowed: str, default: str = "-create_date") -> fields.String:
    """An `order` parameter limited to the given column names, each optionally prefixed with '-'."""
    choices = [name for col in allowed for name in (col, f"-{col}")]
    return fields.String(
        load_default=default,
        validate=validate.OneOf(choices, error="只能是 " + "、".join(choices)),
        metadata={"label": "排序"},
    )


# --- output-only: a stored UTC datetime shown in TIMEZONE, in the format the document shows per section -----


class LocalDateTime(fields.Field):
    """'YYYY-MM-DD HH:MM:SS'."""

    def _serialize(self, value, attr, obj, **kwargs):
        return fmt_datetime(value)


class LocalDate(fields.Field):
    """'YYYY-MM-DD'."""

    def _serialize(self, value, attr, obj, **kwargs):
        return fmt_date(value)


class LocalMinute(fields.Field):
    """'2018-07-31 14:49' (8.5)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return fmt_minute(value)


class IsoLocalDateTime(fields.Field):
    """'2018-07-12T20:46:22.613', the milliseconds only when there are any (1.4, 2.2, 5.9.3, 6.x)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return fmt_iso(value)


class IsoMillis(fields.Field):
    """'2018-08-02T15:46:02.882', the milliseconds always (8.1, 8.5 name_list, 8.10, 9.1)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return fmt_iso_millis(value)
