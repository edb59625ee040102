"""English for the Chinese msgids lane content2 added (the lead fills the catalogue from it)."""

EN = {
    "设为专题": "Make it a topic",
    "专题设置": "Topic settings",
}
