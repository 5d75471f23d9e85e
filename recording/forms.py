import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AsOfForm(forms.Form):
    """The `?as_of=YYYY-MM-DD` of a dashboard; today in Asia/Jakarta when absent."""

    as_of = forms.DateField(
        label=_("Per tanggal"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": _(
                "Tanggal “%(value)s” tidak dikenal; gunakan bentuk TTTT-BB-HH, mis. 2012-04-16."
            ),
        },
    )

    def clean_as_of(self) -> dt.date:
        return self.cleaned_data["as_of"] or timezone.localdate()
