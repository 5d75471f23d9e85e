"""A user's own account: changing their password."""

from django.contrib.auth import authenticate, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's form, with the old password checked like a login: through django-axes.

    On a shared office PC somebody else may find a session still open; guessing its owner's
    password here must hit the same limit as guessing it on the login page. A wrong old password
    counts as a failed login for this username and address, and once they are locked out even the
    right one is refused.
    """

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        # authenticate() asks the axes backend first (refused while locked out) and reports a
        # failure to axes through the user_login_failed signal.
        checked = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if checked is None or checked.pk != self.user.pk:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        if getattr(self.request, "axes_locked_out", False):
            # Locked out: the session ends too, and AxesMiddleware answers with its lockout page.
            logout(self.request)
        return super().form_invalid(form)
