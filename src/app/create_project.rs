//! `createProject`, the original server's compatibility use case: a project and its first
//! license, stored together or not at all.

use super::create_license::MAX_ATTEMPTS;
use super::{AppError, Deps};
use crate::domain::{
    CreateLicenseRequest, CreateProjectRequest, License, LicenseKey, Project, RandomSource, UserId,
};
use crate::storage::{ProjectStore, StoreError};

/// Stores the project and a license exactly like `POST /license/create` makes one; a key or
/// id collision draws everything again.
pub async fn create_project_with_license<S: ProjectStore, R: RandomSource>(
    deps: &mut Deps<'_, S, R>,
    owner: &UserId,
    input: &CreateProjectRequest,
) -> Result<(Project, License), AppError> {
    let seconds = u32::try_from(deps.now.timestamp()).unwrap_or(u32::MAX);
    for _ in 0..MAX_ATTEMPTS {
        let project_id = deps.ids.generate(seconds);
        let project = Project::create(input.project.clone(), owner.clone(), project_id, deps.now);
        let request = CreateLicenseRequest {
            duration: input.duration,
            client: project.client,
            project: project.id,
            services: input.services.clone(),
            max_machines: input.max_machines,
        };
        let key = LicenseKey::generate(&project.id, &mut deps.random)?;
        let license_id = deps.ids.generate(seconds);
        let license = License::issue(&request, owner.clone(), deps.now, license_id, key);
        match deps
            .store
            .insert_project_with_license(&project, &license)
            .await
        {
            Ok(()) => return Ok((project, license)),
            Err(StoreError::Duplicate) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(AppError::NoUniqueKey)
}
