//! Path parameters whose text the server checks, described by hand so the
//! OpenAPI document says what is checked (the derive drops `required` and
//! the description of a parameter whose schema is made by a function).

use leasehold_core::wire::schema;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::ObjectBuilder;

fn param(name: &str, description: &str, schema: ObjectBuilder) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(utoipa::openapi::Required::True)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// `{feature}`: a feature's name, as in the licence.
pub struct FeatureParam;

impl utoipa::IntoParams for FeatureParam {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![param(
            "feature",
            "The feature's name, as in the licence.",
            schema::feature(),
        )]
    }
}

/// `{product}/{user}`: a product and a user name.
pub struct NamedUserParams;

impl utoipa::IntoParams for NamedUserParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            param(
                "product",
                "The product, as in its codes.",
                schema::product(),
            ),
            param(
                "user",
                "The user name (compared without regard to case).",
                schema::required_name(),
            ),
        ]
    }
}

/// `{product}` alone.
pub struct ProductParam;

impl utoipa::IntoParams for ProductParam {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![param(
            "product",
            "The product, as in its codes.",
            schema::product(),
        )]
    }
}
