"""English for the order desk and the console's "no English, no raw codes" pass (issue 11)."""

EN_ORDERDESK: dict[str, str | list[str]] = {
    "请求内容不是有效的 JSON。": "The request body is not valid JSON.",
    "登录已失效，请重新登录。": "Your sign-in has expired; please sign in again.",
}
