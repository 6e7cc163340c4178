"""Builds the Bot Framework adapter and its authentication from our settings.

The adapter is botbuilder's ``CloudAdapter``. Inbound tokens are always validated when an app id is set.
The OpenID metadata, issuer, login URL and scope default to Microsoft's public cloud and can be pointed
elsewhere (tests point them at a loopback OpenID server). Outbound credentials come from a
``ServiceClientCredentialsFactory``: MSAL-backed client secret by default, a user-assigned managed identity
when ``MicrosoftAppType=UserAssignedMSI``, or one a caller injects (tests do, to avoid the login service).
"""

from __future__ import annotations

from botbuilder.integration.aiohttp import CloudAdapter
from botframework.connector.auth import (
    AuthenticationConfiguration,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    BotFrameworkAuthenticationFactory,
    PasswordServiceClientCredentialFactory,
    ServiceClientCredentialsFactory,
)
from botframework.connector.auth.managedidentity_service_client_credential_factory import (
    ManagedIdentityServiceClientCredentialsFactory,
)

from bot.settings import Settings


def credentials_factory_for(settings: Settings) -> ServiceClientCredentialsFactory:
    """The outbound credentials the settings ask for."""
    if settings.app_type == "UserAssignedMSI":
        return ManagedIdentityServiceClientCredentialsFactory(settings.app_id)
    tenant = settings.app_tenant_id if settings.app_type == "SingleTenant" else None
    return PasswordServiceClientCredentialFactory(settings.app_id, settings.app_password, tenant)


def create_authentication(
    settings: Settings, credentials: ServiceClientCredentialsFactory | None = None
) -> BotFrameworkAuthentication:
    """Inbound validation and outbound connector factory for ``settings``."""
    factory = credentials or credentials_factory_for(settings)
    endpoints = (
        settings.openid_metadata_url,
        settings.token_issuer,
        settings.oauth_scope,
        settings.login_url,
    )
    if not any(endpoints):
        return BotFrameworkAuthenticationFactory.create(
            credential_factory=factory, auth_configuration=AuthenticationConfiguration()
        )
    # Any endpoint set switches botbuilder to its parameterised mode, which needs all of them.
    return BotFrameworkAuthenticationFactory.create(
        to_bot_from_channel_open_id_metadata_url=settings.openid_metadata_url
        or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
        to_bot_from_channel_token_issuer=settings.token_issuer
        or AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
        to_channel_from_bot_oauth_scope=settings.oauth_scope
        or AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        to_channel_from_bot_login_url=settings.login_url
        or AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX + "botframework.com",
        oauth_url=AuthenticationConstants.OAUTH_URL,
        to_bot_from_emulator_open_id_metadata_url=settings.openid_metadata_url
        or AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
        credential_factory=factory,
        auth_configuration=AuthenticationConfiguration(),
    )


def _cheaper_msrest_clients() -> None:
    """Make the two msrest clients botbuilder builds for every turn cheap to build.

    ``CloudAdapter`` creates a connector client and a user-token client per activity; each builds an msrest
    ``ClientRetryPolicy``, whose retry list is ``[i for i in range(999) if i not in safe_codes]`` with
    ``safe_codes`` a 500-item list: 24 ms of CPU each, about 50 ms a turn, a third of a submit's CPU under
    load (tests/faults/test_load.py, bench/load.py). The list only ever serves membership tests, so a
    frozenset of the same codes gives the same policy in microseconds.
    """
    from msrest.universal_http.requests import ClientRetryPolicy

    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]


def create_adapter(
    settings: Settings, credentials: ServiceClientCredentialsFactory | None = None
) -> CloudAdapter:
    """A ``CloudAdapter`` for ``settings``."""
    _cheaper_msrest_clients()
    return CloudAdapter(create_authentication(settings, credentials))
