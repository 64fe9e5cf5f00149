"""Errors a participant reads: they carry a catalogue key, never a sentence."""


class UserError(Exception):
    """Bad input or an impossible setting, explained to the participant in their language.

    ``key`` names a catalogue entry (``area.key``) and ``params`` fill its placeholders.
    """

    def __init__(self, key: str, **params):
        super().__init__(key, params)
        self.key = key
        self.params = params

    def __str__(self) -> str:
        from genlab.i18n import translate

        return translate("en", self.key, **self.params)
