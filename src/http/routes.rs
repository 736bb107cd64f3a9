//! The route table: every route declared once, with its method, path pattern (`:name` matches
//! one segment), whether it needs a bearer token, its CORS scope and its endpoint. 404, 405
//! with `Allow`, `OPTIONS` preflights and CORS headers are all derived from [`ROUTES`].
//!
//! To add an endpoint: a [`Route`] here, an [`Endpoint`] variant and its arm in [`dispatch`],
//! and its handler file under `handlers/`.

use super::handlers;
use super::{ApiError, ApiRequest, ApiResponse, Context, CorsScope};
use crate::app::StatusChange;
use crate::auth::{authenticate, RemoteKeys};
use crate::domain::{RandomSource, UserId};
use crate::storage::Stores;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: licensed software, monitors.
    Public,
    /// A developer with a valid bearer token; the router authenticates before the handler runs.
    Token,
}

/// What a route does; [`dispatch`] maps each to its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    CreateLicense,
    Health,
    Validate,
    Activate,
    Deactivate,
    DeactivateOwned,
    GetLicense,
    ToggleRevoke,
    Revoke,
    Reinstate,
    CreateClient,
    ListClients,
    GetClient,
    UpdateClient,
    DeleteClient,
    CreateProject,
    ListProjects,
    GetProject,
    UpdateProject,
    DeleteProject,
    /// The original server's `createProject`: a project and its first license.
    CreateProjectWithLicense,
    /// `GET /.well-known/jwks.json`: the public keys of license tokens.
    LicenseTokenKeys,
    Renew,
    ListLicenses,
    /// `GET /openapi.json`: the OpenAPI document of the API.
    OpenApi,
}

/// A developer-only route (token, allow-listed origins) for `endpoint`.
const fn owned(method: &'static str, path: &'static str, endpoint: Endpoint) -> Route {
    Route {
        method,
        path,
        access: Access::Token,
        cors: CorsScope::Listed,
        endpoint,
    }
}

/// One route of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    /// `/literal/segments/:param`.
    pub path: &'static str,
    pub access: Access,
    pub cors: CorsScope,
    pub endpoint: Endpoint,
}

/// Every route of the API.
pub const ROUTES: &[Route] = &[
    Route {
        method: "POST",
        path: "/license/create",
        access: Access::Token,
        cors: CorsScope::Listed,
        endpoint: Endpoint::CreateLicense,
    },
    Route {
        method: "GET",
        path: "/health",
        access: Access::Public,
        cors: CorsScope::AnyOrigin,
        endpoint: Endpoint::Health,
    },
    Route {
        method: "GET",
        path: "/.well-known/jwks.json",
        access: Access::Public,
        cors: CorsScope::AnyOrigin,
        endpoint: Endpoint::LicenseTokenKeys,
    },
    Route {
        method: "POST",
        path: "/validate",
        access: Access::Public,
        cors: CorsScope::AnyOrigin,
        endpoint: Endpoint::Validate,
    },
    Route {
        method: "POST",
        path: "/validate/activate",
        access: Access::Public,
        cors: CorsScope::AnyOrigin,
        endpoint: Endpoint::Activate,
    },
    Route {
        method: "POST",
        path: "/validate/deactivate",
        access: Access::Public,
        cors: CorsScope::AnyOrigin,
        endpoint: Endpoint::Deactivate,
    },
    Route {
        method: "POST",
        path: "/license/:key/deactivate",
        access: Access::Token,
        cors: CorsScope::Listed,
        endpoint: Endpoint::DeactivateOwned,
    },
    Route {
        method: "GET",
        path: "/license/:key",
        access: Access::Token,
        cors: CorsScope::Listed,
        endpoint: Endpoint::GetLicense,
    },
    Route {
        method: "PATCH",
        path: "/license/revoke/:key",
        access: Access::Token,
        cors: CorsScope::Listed,
        endpoint: Endpoint::ToggleRevoke,
    },
    Route {
        method: "POST",
        path: "/license/:key/revoke",
        access: Access::Token,
        cors: CorsScope::Listed,
        endpoint: Endpoint::Revoke,
    },
    Route {
        method: "POST",
        path: "/license/:key/reinstate",
        access: Access::Token,
        cors: CorsScope::Listed,
        endpoint: Endpoint::Reinstate,
    },
    owned("POST", "/clients", Endpoint::CreateClient),
    owned("GET", "/clients", Endpoint::ListClients),
    owned("GET", "/clients/:id", Endpoint::GetClient),
    owned("PATCH", "/clients/:id", Endpoint::UpdateClient),
    owned("DELETE", "/clients/:id", Endpoint::DeleteClient),
    owned("POST", "/projects", Endpoint::CreateProject),
    owned("GET", "/projects", Endpoint::ListProjects),
    owned("GET", "/projects/:id", Endpoint::GetProject),
    owned("PATCH", "/projects/:id", Endpoint::UpdateProject),
    owned("DELETE", "/projects/:id", Endpoint::DeleteProject),
    owned(
        "POST",
        "/projects/createProject",
        Endpoint::CreateProjectWithLicense,
    ),
    Route {
        method: "PATCH",
        path: "/license/renew/:key",
        access: Access::Token,
        cors: CorsScope::Listed,
        endpoint: Endpoint::Renew,
    },
    Route {
        method: "GET",
        path: "/licenses",
        access: Access::Token,
        cors: CorsScope::Listed,
        endpoint: Endpoint::ListLicenses,
    },
    Route {
        method: "GET",
        path: "/openapi.json",
        access: Access::Public,
        cors: CorsScope::AnyOrigin,
        endpoint: Endpoint::OpenApi,
    },
];

/// The values of a route's `:params`, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params<'p>(Vec<(&'static str, &'p str)>);

impl<'p> Params<'p> {
    /// The segment matched by `:name`.
    pub fn get(&self, name: &str) -> Option<&'p str> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

/// What the table says about a request's method and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution<'p> {
    Found(&'static Route, Params<'p>),
    /// `OPTIONS` on a known path: the methods its routes accept.
    Preflight {
        methods: Vec<&'static str>,
        cors: CorsScope,
    },
    /// A known path, another method: the value of `Allow`.
    WrongMethod {
        allow: String,
        cors: CorsScope,
    },
    NotFound,
}

impl Resolution<'_> {
    /// The CORS scope of the answer: the route's, or the allow-list for unknown paths.
    pub fn cors_scope(&self) -> CorsScope {
        match self {
            Self::Found(route, _) => route.cors,
            Self::Preflight { cors, .. } | Self::WrongMethod { cors, .. } => *cors,
            Self::NotFound => CorsScope::Listed,
        }
    }
}

/// Matches `path` (one trailing `/` ignored) against `pattern`.
fn matches<'p>(pattern: &'static str, path: &'p str) -> Option<Params<'p>> {
    let mut params = Vec::new();
    let mut wanted = pattern.split('/');
    let mut given = path.split('/');
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(Params(params)),
            (Some(w), Some(g)) => match w.strip_prefix(':') {
                Some(name) if !g.is_empty() => params.push((name, g)),
                None if w == g => {}
                _ => return None,
            },
            _ => return None,
        }
    }
}

/// How many literal segments a pattern has: a literal route (`/license/create`) wins over a
/// parameterised one (`/license/:key`) that would also match.
fn specificity(pattern: &str) -> usize {
    pattern.split('/').filter(|s| !s.starts_with(':')).count()
}

/// Finds the route for `method` and `path`.
pub fn resolve<'p>(method: &str, path: &'p str) -> Resolution<'p> {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let candidates: Vec<(&'static Route, Params<'p>)> = ROUTES
        .iter()
        .filter_map(|route| matches(route.path, path).map(|params| (route, params)))
        .collect();
    let Some(best) = candidates.iter().map(|(r, _)| specificity(r.path)).max() else {
        return Resolution::NotFound;
    };
    let mut candidates: Vec<_> = candidates
        .into_iter()
        .filter(|(r, _)| specificity(r.path) == best)
        .collect();
    if let Some(at) = candidates.iter().position(|(r, _)| r.method == method) {
        let (route, params) = candidates.swap_remove(at);
        return Resolution::Found(route, params);
    }
    let methods: Vec<&'static str> = candidates.iter().map(|(r, _)| r.method).collect();
    // Open to any origin only when every route of the path is.
    let cors = if candidates
        .iter()
        .all(|(r, _)| r.cors == CorsScope::AnyOrigin)
    {
        CorsScope::AnyOrigin
    } else {
        CorsScope::Listed
    };
    if method == "OPTIONS" {
        return Resolution::Preflight { methods, cors };
    }
    let mut allow = methods.join(", ");
    allow.push_str(", OPTIONS");
    Resolution::WrongMethod { allow, cors }
}

/// Runs `route`'s handler, authenticating first when the route needs a token.
pub async fn dispatch<S: Stores, R: RandomSource, K: RemoteKeys>(
    route: &Route,
    params: &Params<'_>,
    request: &ApiRequest,
    cx: &mut Context<'_, S, R, K>,
) -> Result<ApiResponse, ApiError> {
    // Every `:key` route's pattern has the parameter: a missing one is an unknown path.
    let key = || params.get("key").ok_or(ApiError::NotFound);
    let user = match route.access {
        Access::Public => None,
        Access::Token => Some(caller(request, cx).await?),
    };
    match (route.endpoint, user) {
        (Endpoint::Health, _) => Ok(handlers::health::handle()),
        (Endpoint::CreateLicense, Some(user)) => {
            handlers::create_license::handle(request, &user, cx).await
        }
        (Endpoint::Validate, _) => handlers::validate::handle(request, cx).await,
        (Endpoint::Activate, _) => handlers::activate::handle(request, cx).await,
        (Endpoint::Deactivate, _) => handlers::deactivate::handle(request, cx).await,
        (Endpoint::DeactivateOwned, Some(user)) => {
            handlers::deactivate::handle_owned(request, key()?, &user, cx).await
        }
        (Endpoint::GetLicense, Some(user)) => handlers::license::get(key()?, &user, cx).await,
        (Endpoint::ToggleRevoke, Some(user)) => {
            handlers::license::change(key()?, &user, StatusChange::Toggle, cx).await
        }
        (Endpoint::Revoke, Some(user)) => {
            handlers::license::change(key()?, &user, StatusChange::Revoke, cx).await
        }
        (Endpoint::Reinstate, Some(user)) => {
            handlers::license::change(key()?, &user, StatusChange::Reinstate, cx).await
        }
        (Endpoint::CreateClient, Some(user)) => handlers::clients::create(request, &user, cx).await,
        (Endpoint::ListClients, Some(user)) => handlers::clients::list(request, &user, cx).await,
        (Endpoint::GetClient, Some(user)) => handlers::clients::get(params, &user, cx).await,
        (Endpoint::UpdateClient, Some(user)) => {
            handlers::clients::update(request, params, &user, cx).await
        }
        (Endpoint::DeleteClient, Some(user)) => handlers::clients::delete(params, &user, cx).await,
        (Endpoint::CreateProject, Some(user)) => {
            handlers::projects::create(request, &user, cx).await
        }
        (Endpoint::ListProjects, Some(user)) => handlers::projects::list(request, &user, cx).await,
        (Endpoint::GetProject, Some(user)) => handlers::projects::get(params, &user, cx).await,
        (Endpoint::UpdateProject, Some(user)) => {
            handlers::projects::update(request, params, &user, cx).await
        }
        (Endpoint::DeleteProject, Some(user)) => {
            handlers::projects::delete(params, &user, cx).await
        }
        (Endpoint::CreateProjectWithLicense, Some(user)) => {
            handlers::create_project::handle(request, &user, cx).await
        }
        (Endpoint::LicenseTokenKeys, _) => handlers::license_token_keys::handle(cx),
        (Endpoint::Renew, Some(user)) => handlers::renew::handle(request, key()?, &user, cx).await,
        (Endpoint::ListLicenses, Some(user)) => {
            handlers::licenses::handle(request, &user, cx).await
        }
        (Endpoint::OpenApi, _) => Ok(handlers::openapi::handle()),
        // A token route is always authenticated above; kept total without a panic.
        (_, None) => Err(ApiError::NotFound),
    }
}

/// The developer a bearer token names.
async fn caller<S, R, K: RemoteKeys>(
    request: &ApiRequest,
    cx: &Context<'_, S, R, K>,
) -> Result<UserId, ApiError> {
    let config = cx.config.map_err(ApiError::Config)?;
    let header = request.headers.authorization.as_deref();
    Ok(authenticate(header, &config.verifier, cx.remote_keys, cx.now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_match_exactly_and_params_take_one_segment() {
        assert_eq!(
            matches("/license/create", "/license/create"),
            Some(Params::default())
        );
        assert_eq!(matches("/license/create", "/license/create/x"), None);
        assert_eq!(matches("/license/create", "/LICENSE/CREATE"), None);
        let params = matches("/license/:key", "/license/KB-1").unwrap();
        assert_eq!(params.get("key"), Some("KB-1"));
        assert_eq!(matches("/license/:key", "/license/"), None, "empty segment");
        assert_eq!(matches("/license/:key", "/license/a/b"), None);
    }

    #[test]
    fn every_route_resolves_to_itself_with_or_without_a_trailing_slash() {
        for route in ROUTES {
            for path in [route.path.to_owned(), format!("{}/", route.path)] {
                let Resolution::Found(found, _) = resolve(route.method, &path) else {
                    panic!("{} {path} did not resolve", route.method);
                };
                assert_eq!(found, route);
            }
        }
    }

    #[test]
    fn a_known_path_with_another_method_lists_the_allowed_ones() {
        assert_eq!(
            resolve("GET", "/license/create"),
            Resolution::WrongMethod {
                allow: "POST, OPTIONS".into(),
                cors: CorsScope::Listed
            }
        );
        assert_eq!(
            resolve("OPTIONS", "/license/create"),
            Resolution::Preflight {
                methods: vec!["POST"],
                cors: CorsScope::Listed
            }
        );
    }

    #[test]
    fn unknown_paths_are_not_found() {
        for path in ["/", "", "/license", "/license/create/extra", "/healthz"] {
            assert_eq!(resolve("GET", path), Resolution::NotFound, "{path}");
        }
    }

    #[test]
    fn no_two_routes_share_a_method_and_pattern() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!(!(a.method == b.method && a.path == b.path), "{a:?}");
            }
        }
    }

    #[test]
    fn public_routes_are_open_to_any_origin_and_token_routes_to_the_allow_list() {
        for route in ROUTES {
            let expected = match route.access {
                Access::Public => CorsScope::AnyOrigin,
                Access::Token => CorsScope::Listed,
            };
            assert_eq!(route.cors, expected, "{route:?}");
        }
    }
}
