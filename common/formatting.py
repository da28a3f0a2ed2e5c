def format_vnd(value):
    """Money the Vietnamese way: dots between thousands, the đồng sign after: `150.000 ₫`."""
    if value is None or value == "":
        return ""
    amount = int(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".") + " ₫"
