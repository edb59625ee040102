"""English for the API's own answers (errors that belong to no domain)."""

EN_API: dict[str, str] = {
    "找不到该接口或对象。": "No such endpoint or object.",
}
