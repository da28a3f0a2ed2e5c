from .fakes import lazada_fake, shopee_fake, tiki_fake  # noqa: F401  (pytest fixtures)
from .order_fixtures import honey, lazada_account, shopee_account, tea  # noqa: F401  (pytest fixtures)
