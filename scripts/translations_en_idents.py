"""English for bounded request bodies (issue 10 §6)."""

EN_IDENTS: dict[str, str] = {
    "请求内容嵌套层数过多。": "The request body is nested too deeply.",
    "请求内容过大。": "The request body is too large.",
}
