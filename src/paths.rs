//! Route paths, named once and used by the router, discovery and tests alike.

pub const DISCOVERY: &str = "/.well-known/openid-configuration";
pub const OAUTH_AS_METADATA: &str = "/.well-known/oauth-authorization-server";
pub const JWKS: &str = "/.well-known/jwks.json";

pub const TOKEN: &str = "/oauth/token";
pub const REVOKE: &str = "/oauth/revoke";
pub const USERINFO: &str = "/userinfo";
pub const AUTHORIZE: &str = "/authorize";
/// The hosted login page (Universal Login's `/u/login?state=<transaction>`).
pub const LOGIN_PAGE: &str = "/u/login";
/// The hosted signup page (`/authorize?screen_hint=signup` leads here).
pub const SIGNUP_PAGE: &str = "/u/signup";
pub const LOGOUT: &str = "/v2/logout";
pub const OIDC_LOGOUT: &str = "/oidc/logout";
/// Lock's client configuration script, `/client/<client_id>.js` (the router cannot match a
/// suffix inside a segment, so the handler strips `.js`).
pub const CLIENT_SCRIPT: &str = "/client/{script}";
/// Cross-origin authentication (auth0-js `login`, Lock).
pub const CO_AUTHENTICATE: &str = "/co/authenticate";
pub const PASSWORDLESS_START: &str = "/passwordless/start";

pub const SIGNUP: &str = "/dbconnections/signup";
pub const CHANGE_PASSWORD: &str = "/dbconnections/change_password";
/// The page a password-reset link opens (`/lo/reset?ticket=…`).
pub const RESET_PASSWORD_PAGE: &str = "/lo/reset";

pub const MANAGEMENT_PREFIX: &str = "/api/v2";
pub const MGMT_USERS: &str = "/api/v2/users";
pub const MGMT_USER: &str = "/api/v2/users/{id}";
pub const MGMT_USERS_BY_EMAIL: &str = "/api/v2/users-by-email";
pub const MGMT_LOGS: &str = "/api/v2/logs";
pub const MGMT_LOG: &str = "/api/v2/logs/{id}";
pub const MGMT_USER_LOGS: &str = "/api/v2/users/{id}/logs";
pub const MGMT_USER_BLOCKS: &str = "/api/v2/user-blocks";
pub const MGMT_USER_BLOCK: &str = "/api/v2/user-blocks/{id}";
pub const MGMT_JOBS_IMPORT: &str = "/api/v2/jobs/users-imports";
pub const MGMT_JOBS_EXPORT: &str = "/api/v2/jobs/users-exports";
pub const MGMT_JOB: &str = "/api/v2/jobs/{id}";
pub const MGMT_JOB_ERRORS: &str = "/api/v2/jobs/{id}/errors";
pub const MGMT_ROLES: &str = "/api/v2/roles";
pub const MGMT_ROLE: &str = "/api/v2/roles/{id}";
pub const MGMT_ROLE_PERMISSIONS: &str = "/api/v2/roles/{id}/permissions";
pub const MGMT_ROLE_USERS: &str = "/api/v2/roles/{id}/users";
pub const MGMT_USER_ROLES: &str = "/api/v2/users/{id}/roles";
pub const MGMT_USER_PERMISSIONS: &str = "/api/v2/users/{id}/permissions";
pub const MGMT_CLIENTS: &str = "/api/v2/clients";
pub const MGMT_CLIENT: &str = "/api/v2/clients/{id}";
pub const MGMT_CONNECTIONS: &str = "/api/v2/connections";
pub const MGMT_CONNECTION: &str = "/api/v2/connections/{id}";
pub const MGMT_RESOURCE_SERVERS: &str = "/api/v2/resource-servers";
pub const MGMT_RESOURCE_SERVER: &str = "/api/v2/resource-servers/{id}";
pub const MGMT_CLIENT_GRANTS: &str = "/api/v2/client-grants";
pub const MGMT_CLIENT_GRANT: &str = "/api/v2/client-grants/{id}";

pub const CONTROL_PREFIX: &str = "/__emulator";
pub const CONTROL_HEALTH: &str = "/__emulator/health";
pub const CONTROL_CA: &str = "/__emulator/ca.pem";
pub const CONTROL_RESET: &str = "/__emulator/reset";
pub const CONTROL_TOKENS: &str = "/__emulator/tokens";
pub const CONTROL_CLOCK: &str = "/__emulator/clock";
pub const CONTROL_OUTBOX: &str = "/__emulator/outbox";
pub const CONTROL_FAULTS: &str = "/__emulator/faults";
pub const CONTROL_FAULT: &str = "/__emulator/faults/{id}";
pub const CONTROL_REQUESTS: &str = "/__emulator/requests";
pub const CONTROL_REQUESTS_COUNT: &str = "/__emulator/requests/count";
pub const CONTROL_REQUESTS_REPORT: &str = "/__emulator/requests/report";
/// Where users-export files are downloaded (`{file}` carries the job id and a secret).
pub const CONTROL_EXPORTS: &str = "/__emulator/exports";
pub const CONTROL_EXPORT_FILE: &str = "/__emulator/exports/{file}";
