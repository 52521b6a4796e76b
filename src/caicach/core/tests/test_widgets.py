"""FastSelect renders what Django's Select renders: the chosen option, escaped labels."""

from __future__ import annotations

from django import forms

from caicach.core.widgets import FastSelect


class _Form(forms.Form):
    unit = forms.ChoiceField(
        choices=[("", "— chọn —"), ("A1", "Phòng <Tư pháp>"), ("B2", "Xã An & Hòa")],
        widget=FastSelect,
        required=False,
    )


def test_selected_option_and_escaping():
    html = str(_Form(initial={"unit": "B2"})["unit"])
    assert html.startswith('<select name="unit" id="id_unit">')
    assert '<option value="B2" selected>Xã An &amp; Hòa</option>' in html
    assert '<option value="A1">Phòng &lt;Tư pháp&gt;</option>' in html
    assert html.count(" selected") == 1


def test_empty_value_selects_the_blank_option():
    html = str(_Form()["unit"])
    assert html.count("<option") == 3
    assert '<option value="" selected>— chọn —</option>' in html
