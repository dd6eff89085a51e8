from __future__ import annotations

from fastapi import APIRouter, Response

from folio.auth.mfa import mfa as mfa_service
from folio.auth.schemas import (
    ChangePasswordRequest,
    ForgotPasswordRequest,
    LoginRequest,
    LoginResult,
    Message,
    MfaCode,
    MfaDisableRequest,
    MfaLoginRequest,
    MfaSetup,
    RecoveryCodes,
    RefreshRequest,
    RegisterRequest,
    ResetPasswordRequest,
    SessionRead,
    TokenPair,
    TokenRequest,
)
from folio.auth.service import Client as ClientData
from folio.auth.service import auth as auth_service
from folio.core.deps import Authenticated, Client, DbSession, InteractiveSession, RuntimeDep
from folio.core.responses import problems
from folio.users.schemas import UserRead, UserUpdate
from folio.users.service import user as user_service
from folio.users.service import user_read

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=201,
    response_model=LoginResult,
    summary="Create an account (with a personal team) and sign in",
    responses=problems(403, 409, 422),
)
async def register(
    data: RegisterRequest, session: DbSession, runtime: RuntimeDep, client: Client
) -> LoginResult:
    return await auth_service.register(
        session, runtime, data, ClientData(client.ip, client.user_agent)
    )


@router.post(
    "/login",
    response_model=LoginResult,
    summary="Sign in; with MFA on, answers mfa_required and a token for step two",
    responses=problems(401, 422, 429),
)
async def login(
    data: LoginRequest, session: DbSession, runtime: RuntimeDep, client: Client
) -> LoginResult:
    return await auth_service.login(
        session, runtime, data, ClientData(client.ip, client.user_agent)
    )


@router.post(
    "/login/mfa",
    response_model=LoginResult,
    summary="Second sign-in step: the code",
    responses=problems(401, 422),
)
async def login_mfa(
    data: MfaLoginRequest, session: DbSession, runtime: RuntimeDep, client: Client
) -> LoginResult:
    return await auth_service.login_mfa(
        session, runtime, data, ClientData(client.ip, client.user_agent)
    )


@router.post(
    "/refresh",
    response_model=TokenPair,
    summary="New tokens for a refresh token (rotated; reuse ends the session)",
    responses=problems(401, 422),
)
async def refresh(data: RefreshRequest, session: DbSession, runtime: RuntimeDep) -> TokenPair:
    return await auth_service.refresh(session, runtime, data.refresh_token)


@router.post("/logout", status_code=204, summary="End this session", responses=problems(401))
async def logout(principal: Authenticated, session: DbSession) -> Response:
    await auth_service.logout(session, principal)
    return Response(status_code=204)


@router.get("/me", response_model=UserRead, summary="Your profile", responses=problems(401))
async def get_me(principal: Authenticated, session: DbSession) -> UserRead:
    return user_read(await user_service.get(session, principal.user_id or ""))


@router.patch(
    "/me", response_model=UserRead, summary="Update your profile", responses=problems(401, 403, 422)
)
async def update_me(
    data: UserUpdate, principal: InteractiveSession, session: DbSession
) -> UserRead:
    user = await user_service.get(session, principal.user_id or "")
    return user_read(await user_service.update(session, user, data))


@router.get(
    "/sessions",
    response_model=list[SessionRead],
    summary="Your signed-in devices",
    responses=problems(401, 403),
)
async def list_sessions(principal: InteractiveSession, session: DbSession) -> list[SessionRead]:
    return await auth_service.sessions(session, principal)


@router.delete(
    "/sessions/{session_id}",
    status_code=204,
    summary="Sign a device out",
    responses=problems(401, 403, 404),
)
async def delete_session(
    session_id: str, principal: InteractiveSession, session: DbSession
) -> Response:
    await auth_service.revoke_session(session, principal, session_id)
    return Response(status_code=204)


@router.post(
    "/password/change",
    status_code=204,
    summary="Change your password (ends your other sessions)",
    responses=problems(401, 403, 422),
)
async def change_password(
    data: ChangePasswordRequest, principal: InteractiveSession, session: DbSession
) -> Response:
    await auth_service.change_password(session, principal, data)
    return Response(status_code=204)


@router.post(
    "/password/forgot",
    status_code=202,
    response_model=Message,
    summary="E-mail a password-reset link",
    responses=problems(422),
)
async def forgot_password(
    data: ForgotPasswordRequest, session: DbSession, runtime: RuntimeDep
) -> Message:
    await auth_service.forgot_password(session, runtime, str(data.email))
    return Message(message="If the address has an account, a reset link is on its way.")


@router.post(
    "/password/reset",
    status_code=204,
    summary="Set a new password with a reset token (ends every session)",
    responses=problems(401, 422),
)
async def reset_password(data: ResetPasswordRequest, session: DbSession) -> Response:
    await auth_service.reset_password(session, data)
    return Response(status_code=204)


@router.post(
    "/verify-email",
    status_code=204,
    summary="Confirm your e-mail address",
    responses=problems(401, 422),
)
async def verify_email(data: TokenRequest, session: DbSession) -> Response:
    await auth_service.verify_email(session, data.token)
    return Response(status_code=204)


@router.post(
    "/verify-email/resend",
    status_code=204,
    summary="Send the confirmation e-mail again",
    responses=problems(401),
)
async def resend_verification(
    principal: Authenticated, session: DbSession, runtime: RuntimeDep
) -> Response:
    await auth_service.resend_verification(session, runtime, principal)
    return Response(status_code=204)


@router.post(
    "/mfa/enable",
    response_model=MfaSetup,
    summary="Start two-factor set-up: a TOTP secret and otpauth URI",
    responses=problems(401, 403, 409),
)
async def enable_mfa(principal: InteractiveSession, session: DbSession) -> MfaSetup:
    return mfa_service.setup(await user_service.get(session, principal.user_id or ""))


@router.post(
    "/mfa/verify",
    response_model=RecoveryCodes,
    summary="Confirm a code to turn two-factor on; returns ten recovery codes",
    responses=problems(401, 403, 409, 422),
)
async def verify_mfa(
    data: MfaCode, principal: InteractiveSession, session: DbSession
) -> RecoveryCodes:
    user = await user_service.get(session, principal.user_id or "")
    return await mfa_service.enable(session, user, data.code)


@router.post(
    "/mfa/disable",
    status_code=204,
    summary="Turn two-factor off",
    responses=problems(401, 403, 422),
)
async def disable_mfa(
    data: MfaDisableRequest, principal: InteractiveSession, session: DbSession
) -> Response:
    user = await user_service.get(session, principal.user_id or "")
    await mfa_service.disable(session, user, data.password, data.code)
    return Response(status_code=204)
