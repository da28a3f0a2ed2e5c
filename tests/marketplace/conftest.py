from .fakes import lazada_fake, shopee_fake, tiki_fake  # noqa: F401  (pytest fixtures)
