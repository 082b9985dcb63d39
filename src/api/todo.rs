use leptos::prelude::*;

use crate::error::AppError;
use crate::model::todo::{AdminTodo, TraineeNext, TrainerTodo};

#[cfg(feature = "ssr")]
use crate::{
    model::user::Role,
    server::{ctx::Ctx, todo as svc},
};

#[server]
pub async fn get_trainer_todo() -> Result<TrainerTodo, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Trainer, Role::Admin], "trainer_todo")?;
        svc::trainer(&cx.state.db, me).await
    })
    .await
}

#[server]
pub async fn get_admin_todo() -> Result<AdminTodo, AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "admin_todo")?;
        svc::admin(&cx.state.db).await
    })
    .await
}

#[server]
pub async fn get_trainee_next() -> Result<TraineeNext, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Trainee], "trainee_next")?;
        svc::trainee(&cx.state.db, me).await
    })
    .await
}
