"""English for promotion wording shared by the console and the promotion page (8折 → 20% off)."""

EN_PROMOTIONS: dict[str, str] = {
    "减%(off)s%%": "%(off)s%% off",
}
