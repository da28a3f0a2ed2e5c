from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_password_reset(user_id, domain, protocol, language):
    services.password_reset_send(user_id=user_id, domain=domain, protocol=protocol, language=language)
