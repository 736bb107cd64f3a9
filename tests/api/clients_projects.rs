//! `/clients` and `/projects`: the full life of each, pagination, email uniqueness, refused
//! deletes, and the original `POST /projects/createProject`.

use serde_json::{json, Value};

use crate::support::{
    call, client_of, count_licenses, create_body, new_client, new_project, post_create,
    random_object_id, token,
};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![
        a_client_is_created_read_listed_updated_and_deleted,
        a_project_is_created_read_listed_updated_and_deleted,
        every_invalid_client_or_project_body_gets_its_own_400,
        one_owner_cannot_have_two_clients_with_the_same_email_in_any_case,
        pages_of_three_list_seven_clients_once_each_even_while_more_are_created,
        pages_of_three_list_seven_projects_of_a_client_once_each,
        a_bad_limit_or_cursor_is_a_400,
        deleting_a_client_with_projects_or_a_project_with_licenses_is_refused_and_deletes_nothing,
        create_project_makes_the_project_and_its_first_license_together,
        create_project_checks_its_body_in_the_original_order,
    ]
}

fn email() -> String {
    format!("{}@example.com", random_object_id())
}

fn created_client(user: &str, name: &str, email: &str) -> Value {
    let reply = call(
        user,
        "POST",
        "/clients",
        Some(&json!({"name": name, "email": email})),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["client"].clone()
}

fn is_iso_millis(value: &Value) -> bool {
    value.as_str().is_some_and(|t| {
        t.len() == 24 && t.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(t).is_ok()
    })
}

fn a_client_is_created_read_listed_updated_and_deleted() {
    let user = format!("crud-{}", random_object_id());
    let address = email();
    let reply = call(
        &user,
        "POST",
        "/clients",
        Some(&json!({"name": "  Acme  ", "email": address})),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["message"], "Client created successfully");
    let client = body["client"].clone();
    let fields: Vec<&str> = client
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(fields.len(), 6);
    let order = ["_id", "name", "email", "owner", "createdAt", "updatedAt"];
    let positions: Vec<usize> = order
        .iter()
        .map(|f| reply.body.find(&format!("\"{f}\":")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{}", reply.body);
    assert_eq!(client["name"], "Acme", "trimmed");
    assert_eq!(client["email"], address.as_str());
    assert_eq!(client["owner"], user.as_str());
    assert!(is_iso_millis(&client["createdAt"]));
    assert_eq!(client["createdAt"], client["updatedAt"]);
    let id = client["_id"].as_str().unwrap().to_owned();

    let read = call(&user, "GET", &format!("/clients/{id}"), None);
    assert_eq!((read.status, read.json()), (200, json!({"client": client})));
    let list = call(&user, "GET", "/clients", None);
    assert_eq!(
        list.json(),
        json!({"clients": [client], "nextCursor": null})
    );

    let renamed = call(
        &user,
        "PATCH",
        &format!("/clients/{id}"),
        Some(&json!({"name": "Acme Ltd"})),
    );
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.json()["message"], "Client updated");
    let updated = renamed.json()["client"].clone();
    assert_eq!(
        (&updated["name"], &updated["email"]),
        (&json!("Acme Ltd"), &json!(address))
    );
    assert_eq!(updated["createdAt"], client["createdAt"]);
    let new_address = email();
    let moved = call(
        &user,
        "PATCH",
        &format!("/clients/{id}"),
        Some(&json!({"email": new_address})),
    );
    assert_eq!(moved.json()["client"]["email"], new_address.as_str());
    assert_eq!(
        call(&user, "GET", &format!("/clients/{id}"), None).json()["client"],
        moved.json()["client"],
        "the change is stored"
    );

    call(&user, "DELETE", &format!("/clients/{id}"), None).assert_message(200, "Client deleted");
    call(&user, "GET", &format!("/clients/{id}"), None).assert_message(404, "Client not found");
    call(&user, "DELETE", &format!("/clients/{id}"), None).assert_message(404, "Client not found");
    assert_eq!(
        call(&user, "GET", "/clients", None).json()["clients"],
        json!([])
    );
}

fn a_project_is_created_read_listed_updated_and_deleted() {
    let user = format!("crud-{}", random_object_id());
    let client = new_client(&user);
    let reply = call(
        &user,
        "POST",
        "/projects",
        Some(&json!({"name": "Site", "clientId": client})),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.json()["message"], "Project created successfully");
    let project = reply.json()["project"].clone();
    let order = ["_id", "name", "client", "owner", "createdAt", "updatedAt"];
    assert_eq!(project.as_object().unwrap().len(), order.len());
    let positions: Vec<usize> = order
        .iter()
        .map(|f| reply.body.find(&format!("\"{f}\":")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{}", reply.body);
    assert_eq!(
        (&project["client"], &project["owner"]),
        (&json!(client), &json!(user))
    );
    let id = project["_id"].as_str().unwrap().to_owned();

    let read = call(&user, "GET", &format!("/projects/{id}"), None);
    assert_eq!(
        (read.status, read.json()),
        (200, json!({"project": project}))
    );
    let list = call(&user, "GET", &format!("/projects?clientId={client}"), None);
    assert_eq!(
        list.json(),
        json!({"projects": [project], "nextCursor": null})
    );
    let renamed = call(
        &user,
        "PATCH",
        &format!("/projects/{id}"),
        Some(&json!({"name": "Shop"})),
    );
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.json()["message"], "Project updated");
    assert_eq!(renamed.json()["project"]["name"], "Shop");
    assert_eq!(
        call(&user, "GET", &format!("/projects/{id}"), None).json()["project"]["name"],
        "Shop"
    );

    call(&user, "DELETE", &format!("/projects/{id}"), None).assert_message(200, "Project deleted");
    call(&user, "GET", &format!("/projects/{id}"), None).assert_message(404, "Project not found");
    let empty = call(&user, "GET", &format!("/projects?clientId={client}"), None);
    assert_eq!(empty.json(), json!({"projects": [], "nextCursor": null}));
    call(&user, "DELETE", &format!("/clients/{client}"), None)
        .assert_message(200, "Client deleted");
    call(&user, "GET", &format!("/projects?clientId={client}"), None)
        .assert_message(404, "Client not found");
}

fn every_invalid_client_or_project_body_gets_its_own_400() {
    let user = format!("bad-{}", random_object_id());
    let client = new_client(&user);
    let cases: Vec<(&str, String, Value, &str)> = vec![
        ("POST", "/clients".into(), json!({}), "Client name required"),
        (
            "POST",
            "/clients".into(),
            json!({"name": " ", "email": email()}),
            "Client name required",
        ),
        (
            "POST",
            "/clients".into(),
            json!({"name": "A"}),
            "Client email required",
        ),
        (
            "POST",
            "/clients".into(),
            json!({"name": "A", "email": ""}),
            "Client email required",
        ),
        (
            "POST",
            "/clients".into(),
            json!({"name": "A", "email": "not-an-email"}),
            "Invalid email",
        ),
        (
            "POST",
            "/clients".into(),
            json!({"name": "A", "email": "a@b"}),
            "Invalid email",
        ),
        (
            "POST",
            "/clients".into(),
            json!({"name": "x".repeat(101), "email": email()}),
            "Invalid name: expected text of at most 100 characters",
        ),
        (
            "PATCH",
            format!("/clients/{client}"),
            json!({}),
            "Nothing to update",
        ),
        (
            "PATCH",
            format!("/clients/{client}"),
            json!({"email": "nope"}),
            "Invalid email",
        ),
        (
            "POST",
            "/projects".into(),
            json!({"clientId": client}),
            "Project name required",
        ),
        (
            "POST",
            "/projects".into(),
            json!({"name": "P"}),
            "Client ID required",
        ),
        (
            "POST",
            "/projects".into(),
            json!({"name": "P", "clientId": "abc"}),
            "Invalid clientId: expected a 24-character hex ObjectId",
        ),
        (
            "POST",
            "/projects".into(),
            json!({"name": "P", "clientId": random_object_id()}),
            "Client not found",
        ),
    ];
    for (method, path, body, message) in cases {
        let reply = call(&user, method, &path, Some(&body));
        let status = if message.ends_with("not found") {
            404
        } else {
            400
        };
        reply.assert_message(status, message);
    }
    let list = call(&user, "GET", "/clients", None).json();
    assert_eq!(
        list["clients"].as_array().unwrap().len(),
        1,
        "nothing more was stored"
    );
    let projects = call(&user, "GET", &format!("/projects?clientId={client}"), None).json();
    assert_eq!(projects["projects"], json!([]));
}

fn one_owner_cannot_have_two_clients_with_the_same_email_in_any_case() {
    let (alice, bob) = (
        format!("a-{}", random_object_id()),
        format!("b-{}", random_object_id()),
    );
    let address = email();
    created_client(&alice, "First", &address);
    let twice = call(
        &alice,
        "POST",
        "/clients",
        Some(&json!({"name": "Again", "email": address.to_uppercase()})),
    );
    twice.assert_message(409, "Client with this email already exists");
    created_client(&bob, "Bob's", &address);
    let other = created_client(&alice, "Other", &email());
    let id = other["_id"].as_str().unwrap();
    call(
        &alice,
        "PATCH",
        &format!("/clients/{id}"),
        Some(&json!({"email": address})),
    )
    .assert_message(409, "Client with this email already exists");
    assert_eq!(
        call(&alice, "GET", &format!("/clients/{id}"), None).json()["client"],
        other
    );
    assert_eq!(
        call(&alice, "GET", "/clients", None).json()["clients"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// Follows `nextCursor` from `first` with `limit=3`; `between` runs after each page.
fn walk(user: &str, first: &str, mut between: impl FnMut()) -> Vec<Value> {
    let (mut items, mut path, mut pages) = (Vec::new(), first.to_owned(), 0);
    loop {
        let reply = call(user, "GET", &path, None);
        assert_eq!(reply.status, 200, "{}", reply.body);
        let body = reply.json();
        let page = body
            .as_object()
            .unwrap()
            .values()
            .find(|v| v.is_array())
            .unwrap();
        assert!(page.as_array().unwrap().len() <= 3);
        items.extend(page.as_array().unwrap().iter().cloned());
        pages += 1;
        assert!(pages < 10, "the walk ends");
        let Some(cursor) = body["nextCursor"].as_str() else {
            break;
        };
        let separator = if first.contains('?') { '&' } else { '?' };
        path = format!("{first}{separator}cursor={cursor}");
        between();
    }
    items
}

fn assert_newest_first_once_each(items: &[Value], expected: &[String]) {
    let ids: Vec<&str> = items.iter().map(|i| i["_id"].as_str().unwrap()).collect();
    let mut wanted: Vec<&str> = expected.iter().map(String::as_str).collect();
    wanted.reverse();
    assert_eq!(ids, wanted, "newest first, no duplicates, no gaps");
}

fn pages_of_three_list_seven_clients_once_each_even_while_more_are_created() {
    let user = format!("pages-{}", random_object_id());
    let ids: Vec<String> = (0..7)
        .map(|n| {
            created_client(&user, &format!("C{n}"), &email())["_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_newest_first_once_each(&walk(&user, "/clients?limit=3", || {}), &ids);
    let mut added = 0;
    let items = walk(&user, "/clients?limit=3", || {
        created_client(&user, "Later", &email());
        added += 1;
    });
    assert_eq!(added, 2, "three pages");
    assert_newest_first_once_each(&items, &ids);
}

fn pages_of_three_list_seven_projects_of_a_client_once_each() {
    let user = format!("pages-{}", random_object_id());
    let client = new_client(&user);
    let other = new_client(&user);
    let make = |client: &str| {
        let reply = call(
            &user,
            "POST",
            "/projects",
            Some(&json!({"name": "P", "clientId": client})),
        );
        reply.json()["project"]["_id"].as_str().unwrap().to_owned()
    };
    let ids: Vec<String> = (0..7).map(|_| make(&client)).collect();
    make(&other);
    let first = format!("/projects?clientId={client}&limit=3");
    assert_newest_first_once_each(&walk(&user, &first, || {}), &ids);
    let items = walk(&user, &first, || {
        make(&client);
    });
    assert_newest_first_once_each(&items, &ids);
}

fn a_bad_limit_or_cursor_is_a_400() {
    let user = "pager";
    for (path, message) in [
        (
            "/clients?limit=0",
            "Invalid limit: expected an integer from 1 to 100",
        ),
        (
            "/clients?limit=101",
            "Invalid limit: expected an integer from 1 to 100",
        ),
        (
            "/clients?limit=x",
            "Invalid limit: expected an integer from 1 to 100",
        ),
        ("/clients?cursor=not-ours", "Invalid cursor"),
    ] {
        call(user, "GET", path, None).assert_message(400, message);
    }
    let client = new_client(user);
    call(
        user,
        "GET",
        &format!("/projects?clientId={client}&cursor=%21"),
        None,
    )
    .assert_message(400, "Invalid cursor");
    call(user, "GET", "/projects", None).assert_message(404, "Client not found");
}

fn deleting_a_client_with_projects_or_a_project_with_licenses_is_refused_and_deletes_nothing() {
    let user = format!("del-{}", random_object_id());
    let project = new_project(&user);
    let client = client_of(&project);
    call(&user, "DELETE", &format!("/clients/{client}"), None)
        .assert_message(409, "Client still has projects: delete them first");
    assert_eq!(
        post_create(Some(&token(&user)), &create_body(&project)).status,
        201
    );
    call(&user, "DELETE", &format!("/projects/{project}"), None).assert_message(
        409,
        "Project still has licenses that are not revoked or expired",
    );
    assert_eq!(
        call(&user, "GET", &format!("/projects/{project}"), None).status,
        200
    );
    assert_eq!(
        call(&user, "GET", &format!("/clients/{client}"), None).status,
        200
    );
    assert_eq!(count_licenses(&project), 1);
}

fn create_project_makes_the_project_and_its_first_license_together() {
    let user = format!("compat-{}", random_object_id());
    let client = new_client(&user);
    let body =
        json!({"clientId": client, "projectName": "Legacy", "duration": 6, "services": ["Domain"]});
    let reply = call(&user, "POST", "/projects/createProject", Some(&body));
    assert_eq!(reply.status, 201, "{}", reply.body);
    let answer = reply.json();
    assert_eq!(
        answer["message"],
        "Project and License created successfully"
    );
    let (project, license) = (&answer["project"], &answer["license"]);
    assert_eq!(
        (&project["name"], &project["client"]),
        (&json!("Legacy"), &json!(client))
    );
    let id = project["_id"].as_str().unwrap();
    assert_eq!(
        (&license["project"], &license["client"]),
        (&json!(id), &json!(client))
    );
    assert_eq!(
        (&license["duration"], &license["status"]),
        (&json!(6), &json!("PENDING"))
    );
    assert_eq!(license["services"], json!(["Domain"]));
    assert!(license["key"]
        .as_str()
        .unwrap()
        .starts_with(&format!("KB-{id}-")));
    assert_eq!(
        call(&user, "GET", &format!("/projects/{id}"), None).json()["project"],
        *project
    );
    let stored = crate::support::stored_licenses(id);
    assert_eq!(
        stored,
        vec![license.clone()],
        "the license is stored as returned"
    );
    // Seats, as on `POST /license/create`: shown by the developer's view of the license.
    let seated =
        json!({"clientId": client, "projectName": "Seats", "duration": 1, "maxMachines": 3});
    let reply = call(&user, "POST", "/projects/createProject", Some(&seated));
    assert_eq!(reply.status, 201, "{}", reply.body);
    let key = reply.json()["license"]["key"].as_str().unwrap().to_owned();
    let view = call(&user, "GET", &format!("/license/{key}"), None);
    assert_eq!(view.json()["license"]["maxMachines"], 3, "{}", view.body);
}

fn create_project_checks_its_body_in_the_original_order() {
    let user = format!("compat-{}", random_object_id());
    let client = new_client(&user);
    let invalid_services =
        "Invalid services: expected a non-empty array of \"Hosting\" and/or \"Domain\"";
    let cases = [
        (json!({}), 400, "Client ID required"),
        (
            json!({"projectName": "P", "duration": 3}),
            400,
            "Client ID required",
        ),
        (
            json!({"clientId": client, "duration": 3}),
            400,
            "Project name required",
        ),
        (
            json!({"clientId": client, "projectName": "P"}),
            400,
            "Invalid duration",
        ),
        (
            json!({"clientId": client, "projectName": "P", "duration": 0}),
            400,
            "Invalid duration",
        ),
        (
            json!({"clientId": client, "projectName": "P", "duration": 3, "services": []}),
            400,
            invalid_services,
        ),
        (
            json!({"clientId": "x", "projectName": "P", "duration": 3}),
            400,
            "Invalid clientId: expected a 24-character hex ObjectId",
        ),
        (
            json!({"clientId": random_object_id(), "projectName": "P", "duration": 3}),
            404,
            "Client not found",
        ),
    ];
    for (body, status, message) in cases {
        call(&user, "POST", "/projects/createProject", Some(&body)).assert_message(status, message);
    }
    let none = crate::support::request("POST", "/projects/createProject", &[], Some(b"{}"));
    none.assert_message(401, "No token provided");
    let projects = call(&user, "GET", &format!("/projects?clientId={client}"), None).json();
    assert_eq!(projects["projects"], json!([]), "nothing was stored");
}
