from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from audits.accounts.names import clean_display_name
from audits.accounts.signups import unconfirmed_accounts
from audits.models import ApiToken, Audit, Flywheel, Invitation, Membership, Organization


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        max_length=254,
        help_text=gettext_lazy("We send a link there to confirm it. Later it is used only to reset your password."),
    )
    organization_name = forms.CharField(
        max_length=Organization._meta.get_field("name").max_length,
        label=gettext_lazy("Organization"),
        help_text=gettext_lazy("Your company or team. You can invite colleagues once you are in."),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def __init__(self, *args, joining: Organization | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if joining is not None:
            # The invitation decides the organization.
            del self.fields["organization_name"]

    # No check that the e-mail address is free: the form would tell anyone who has an account.
    # audits/accounts/signups.py e-mails the address's owner instead.

    def clean_username(self) -> str:
        """Refuse a username in use; an unconfirmed sign-up holds none (the new one replaces it)."""
        username = self.cleaned_data.get("username")
        users = get_user_model().objects.filter(username__iexact=username)
        if username and users.exclude(pk__in=unconfirmed_accounts()).exists():
            raise forms.ValidationError(self.instance.unique_error_message(get_user_model(), ["username"]))
        return username

    def validate_unique(self) -> None:
        # The model's own check would count unconfirmed sign-ups; clean_username has checked.
        pass

    def clean_organization_name(self) -> str:
        name = clean_display_name(self.cleaned_data["organization_name"])
        if not name:
            raise forms.ValidationError(self.fields["organization_name"].error_messages["required"], code="required")
        return name


class FlywheelForm(forms.ModelForm):
    class Meta:
        model = Flywheel
        fields = ("name", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"name": gettext_lazy("For example a product line, market or segment.")}

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_name(self) -> str:
        name = visible_name(self.cleaned_data["name"])
        others = Flywheel.objects.alive().filter(organization=self.organization, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("This organization already has a flywheel with this name."))
        return name


class AuditForm(forms.ModelForm):
    class Meta:
        model = Audit
        fields = ("title", "period_year", "workshop_date", "language", "status")
        widgets = {"workshop_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "period_year": gettext_lazy("The year the audit looks back on."),
            "language": gettext_lazy("The language of the audit's exports."),
        }


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ("role", "note")


class RoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("role",)


class SwitchOrganizationForm(forms.Form):
    organization = forms.IntegerField(min_value=1)


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ("name",)

    def clean_name(self) -> str:
        return visible_name(self.cleaned_data["name"])


def visible_name(typed: str) -> str:
    """A name others will see, without invisible or reordering characters; refused if nothing shows."""
    name = clean_display_name(typed)
    if not name:
        raise forms.ValidationError(_("Type a name made of visible characters."))
    return name


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Workbook or backup"),
        help_text=gettext_lazy("An .xlsx workbook exported by this tool (edited or not) or a .json backup."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(_("The file is larger than %(limit)s MB.") % {"limit": limit})
        return upload


class CompareForm(forms.Form):
    """Two audits to compare, by id: one the user cannot see is a 404 in the view, not a choice error."""

    before = forms.IntegerField(
        label=pgettext_lazy("the earlier audit of a comparison", "Before"), min_value=1, widget=forms.Select
    )
    after = forms.IntegerField(
        label=pgettext_lazy("the later audit of a comparison", "After"), min_value=1, widget=forms.Select
    )

    def __init__(self, *args, choices: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("before", "after"):
            self.fields[name].widget.choices = choices or []

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("before") is not None and cleaned.get("before") == cleaned.get("after"):
            raise forms.ValidationError(
                _("Choose two different audits: an audit compared with itself shows no change.")
            )
        return cleaned


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]
