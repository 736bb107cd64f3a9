//! Every object belongs to its developer: another developer's ids answer exactly like missing
//! ones on every route and method, and change nothing. License creation checks the client and
//! project; `createProject` never leaves a project without its license.

use serde_json::{json, Value};

use crate::support::{
    backend, call, client_of, count_licenses, d1_execute, data_api, data_api_double::Fault,
    new_client, new_project, post_create, random_object_id, token, Backend,
};
use crate::{exclusive_trials, trials};

pub fn tests() -> Vec<libtest_mimic::Trial> {
    let mut trials = trials![
        another_developers_ids_answer_404_on_every_route_and_change_nothing,
        create_license_refuses_a_missing_foreign_or_mismatched_client_or_project,
    ];
    trials.extend(exclusive_trials![
        create_project_stores_nothing_when_its_license_cannot_be_stored
    ]);
    trials
}

/// Everything `user` can read: their clients, and each client's projects.
fn snapshot(user: &str, clients: &[&str], projects: &[&str]) -> Vec<Value> {
    let mut seen = vec![call(user, "GET", "/clients", None).json()];
    for id in clients {
        seen.push(call(user, "GET", &format!("/clients/{id}"), None).json());
        seen.push(call(user, "GET", &format!("/projects?clientId={id}"), None).json());
    }
    for id in projects {
        seen.push(call(user, "GET", &format!("/projects/{id}"), None).json());
    }
    seen
}

fn another_developers_ids_answer_404_on_every_route_and_change_nothing() {
    let (alice, mallory) = (
        format!("alice-{}", random_object_id()),
        format!("mallory-{}", random_object_id()),
    );
    // Colliding names and emails: both have a client "Acme" with the same address.
    let address = format!("{}@acme.test", random_object_id());
    let body = json!({"name": "Acme", "email": address});
    let mine = call(&alice, "POST", "/clients", Some(&body)).json()["client"]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let theirs = call(&mallory, "POST", "/clients", Some(&body));
    assert_eq!(theirs.status, 201, "another owner may use the same email");
    let project_body = json!({"name": "Site", "clientId": mine});
    let project = call(&alice, "POST", "/projects", Some(&project_body)).json()["project"]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let license = post_create(
        Some(&token(&alice)),
        &json!({"duration": 3, "clientId": mine, "projectId": project}).to_string(),
    );
    assert_eq!(license.status, 201, "{}", license.body);
    let before = snapshot(&alice, &[&mine], &[&project]);

    let client_404 = "Client not found";
    let project_404 = "Project not found";
    let attempts: Vec<(&str, String, Option<Value>, u16, &str)> = vec![
        ("GET", format!("/clients/{mine}"), None, 404, client_404),
        (
            "PATCH",
            format!("/clients/{mine}"),
            Some(json!({"name": "Owned"})),
            404,
            client_404,
        ),
        (
            "PATCH",
            format!("/clients/{mine}"),
            Some(json!({"email": "x@evil.test"})),
            404,
            client_404,
        ),
        ("DELETE", format!("/clients/{mine}"), None, 404, client_404),
        (
            "GET",
            format!("/projects?clientId={mine}"),
            None,
            404,
            client_404,
        ),
        (
            "POST",
            "/projects".into(),
            Some(json!({"name": "Mine now", "clientId": mine})),
            404,
            client_404,
        ),
        (
            "POST",
            "/projects/createProject".into(),
            Some(json!({"clientId": mine, "projectName": "X", "duration": 1})),
            404,
            client_404,
        ),
        (
            "GET",
            format!("/projects/{project}"),
            None,
            404,
            project_404,
        ),
        (
            "PATCH",
            format!("/projects/{project}"),
            Some(json!({"name": "Owned"})),
            404,
            project_404,
        ),
        (
            "DELETE",
            format!("/projects/{project}"),
            None,
            404,
            project_404,
        ),
        (
            "POST",
            "/license/create".into(),
            Some(json!({"duration": 1, "clientId": mine, "projectId": project})),
            404,
            client_404,
        ),
    ];
    for (method, path, body, status, message) in &attempts {
        let reply = call(&mallory, method, path, body.as_ref());
        reply.assert_message(*status, message);
        // A missing id answers the same.
        let missing = path
            .replace(&mine, &random_object_id())
            .replace(&project, &random_object_id());
        let missing_body = body.as_ref().map(|b| {
            serde_json::from_str::<Value>(&b.to_string().replace(&mine, &random_object_id()))
                .unwrap()
        });
        let reply = call(&mallory, method, &missing, missing_body.as_ref());
        reply.assert_message(*status, message);
    }
    // Ids that are not ObjectIds name nothing either.
    call(&mallory, "GET", "/clients/not-an-id", None).assert_message(404, client_404);
    call(&mallory, "DELETE", "/projects/not-an-id", None).assert_message(404, project_404);
    // Mallory sees only her own client; Alice's objects are untouched.
    let listed = call(&mallory, "GET", "/clients", None).json();
    assert_eq!(listed["clients"].as_array().unwrap().len(), 1);
    assert_eq!(listed["clients"][0]["owner"], mallory.as_str());
    assert_eq!(
        snapshot(&alice, &[&mine], &[&project]),
        before,
        "nothing changed"
    );
    assert_eq!(count_licenses(&project), 1);
}

fn create_license_refuses_a_missing_foreign_or_mismatched_client_or_project() {
    let user = format!("lic-{}", random_object_id());
    let project = new_project(&user);
    let client = client_of(&project);
    let other_client = new_client(&user);
    let foreign_project = new_project("someone-else");
    let foreign_client = client_of(&foreign_project);
    let body = |client: &str, project: &str| {
        json!({"duration": 1, "clientId": client, "projectId": project}).to_string()
    };
    let cases = [
        (body(&random_object_id(), &project), 404, "Client not found"),
        (body(&foreign_client, &project), 404, "Client not found"),
        (
            body(&foreign_client, &foreign_project),
            404,
            "Client not found",
        ),
        (body(&client, &random_object_id()), 404, "Project not found"),
        (body(&client, &foreign_project), 404, "Project not found"),
        (
            body(&other_client, &project),
            400,
            "Project does not belong to client",
        ),
    ];
    let token = token(&user);
    for (request, status, message) in cases {
        post_create(Some(&token), &request).assert_message(status, message);
    }
    // The contract's own checks come first.
    post_create(
        Some(&token),
        &json!({"duration": 0, "clientId": foreign_client, "projectId": foreign_project})
            .to_string(),
    )
    .assert_message(400, "Invalid duration");
    post_create(None, &body(&foreign_client, &foreign_project))
        .assert_message(401, "No token provided");
    assert_eq!(
        count_licenses(&project) + count_licenses(&foreign_project),
        0
    );
    assert_eq!(
        post_create(Some(&token), &body(&client, &project)).status,
        201
    );
}

/// Every license insert naming `client` fails in the current backend (a D1 trigger, or the
/// Data API double's fault keyed by the license's client), for as long as `run` takes.
fn with_failing_licenses_of(client: &str, run: impl FnOnce()) {
    match backend() {
        Backend::D1 => d1_execute(&format!(
            "CREATE TRIGGER fail_c{client} BEFORE INSERT ON licenses WHEN NEW.client_id = '{client}' \
             BEGIN SELECT RAISE(ABORT, 'storage failure forced by the test'); END"
        )),
        Backend::Mongo => {
            data_api().inject(client, Fault::ServerError, None);
            Value::Null
        }
    };
    run();
    match backend() {
        Backend::D1 => {
            d1_execute(&format!("DROP TRIGGER fail_c{client}"));
        }
        Backend::Mongo => data_api().clear_faults(client),
    }
}

fn create_project_stores_nothing_when_its_license_cannot_be_stored() {
    let user = format!("half-{}", random_object_id());
    let client = new_client(&user);
    let body = json!({"clientId": client, "projectName": "Half", "duration": 2});
    with_failing_licenses_of(&client, || {
        let reply = call(&user, "POST", "/projects/createProject", Some(&body));
        assert_eq!(reply.status, 500, "{}", reply.body);
        assert_eq!(
            reply.json(),
            json!({"error": "Could not store the license: the database is unavailable"})
        );
    });
    let projects = call(&user, "GET", &format!("/projects?clientId={client}"), None).json();
    assert_eq!(
        projects["projects"],
        json!([]),
        "no project without its license"
    );
    let reply = call(&user, "POST", "/projects/createProject", Some(&body));
    assert_eq!(reply.status, 201, "the store recovers: {}", reply.body);
    let projects = call(&user, "GET", &format!("/projects?clientId={client}"), None).json();
    assert_eq!(projects["projects"].as_array().unwrap().len(), 1);
}
