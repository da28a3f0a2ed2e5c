from django.utils.numberformat import format as number_format


def format_thousands(amount):
    """`150.000`: dots between thousands, as Vietnamese documents write amounts, in every language."""
    return number_format(amount, ",", grouping=3, thousand_sep=".", force_grouping=True)


def format_vnd(value):
    """Money the Vietnamese way: dots between thousands, the đồng sign after: `150.000 ₫`."""
    if value is None or value == "":
        return ""
    return format_thousands(int(value)) + " ₫"
