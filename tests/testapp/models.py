from django.db import models

from idbridge.fields import EncryptedTextField


class Sample(models.Model):
    """A record holding the kinds of values later apps encrypt: an SSN and a secret."""

    name = models.CharField(max_length=50)
    ssn = EncryptedTextField(visible_tail=4)
    client_secret = EncryptedTextField()

    def __str__(self):
        return self.name
