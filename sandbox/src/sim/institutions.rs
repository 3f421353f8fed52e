//! The institutions vestibule offers (its "top 15") and their credential forms.

use std::borrow::Cow;

use serde::Serialize;

use crate::error::ApiError;

/// An institution as members keep it; its logo URLs depend on where browsers reach the
/// sandbox, so they are added when it is served (`api::institutions::Served`).
#[derive(Debug, Clone, Serialize)]
pub struct Institution {
    pub code: &'static str,
    pub name: &'static str,
    pub supports_account_identification: bool,
    pub supports_account_statement: bool,
    pub supports_account_verification: bool,
    pub supports_oauth: bool,
    pub supports_transaction_history: bool,
    pub url: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct CredentialOption {
    pub label: &'static str,
    pub value: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Credential {
    pub guid: Cow<'static, str>,
    pub label: &'static str,
    pub field_name: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub options: Vec<CredentialOption>,
    pub display_order: u32,
}

/// MX's example scripts use these two GUIDs for MX Bank; clients hard-code them, so they are exact.
pub const MXBANK_USERNAME: &str = "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1";
pub const MXBANK_PASSWORD: &str = "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d";

/// Which premium features an institution supports, in the order of the model's flags.
#[derive(Clone, Copy)]
struct Features {
    identification: bool,
    statement: bool,
    verification: bool,
    oauth: bool,
    history: bool,
}

const ALL: Features = Features {
    identification: true,
    statement: true,
    verification: true,
    oauth: false,
    history: true,
};
const BASIC: Features = Features {
    identification: false,
    statement: false,
    verification: false,
    oauth: false,
    history: false,
};

/// The credential form an institution asks for.
#[derive(Clone, Copy)]
enum Form {
    /// MX Bank's: username and password, with the GUIDs of MX's examples.
    MxBank,
    UserPassword,
    EmailPassword,
    UserPasswordPin,
    /// A username, a password and a choice among options (for example the account type).
    UserPasswordChoice,
    /// OAuth institutions take no credentials.
    None,
}

struct Fixture {
    code: &'static str,
    name: &'static str,
    url: &'static str,
    features: Features,
    form: Form,
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        code: "mxbank",
        name: "MX Bank",
        url: "https://www.mx.com",
        features: ALL,
        form: Form::MxBank,
    },
    Fixture {
        code: "mxbank_oauth",
        name: "MX Bank (OAuth)",
        url: "https://www.mx.com",
        features: Features { oauth: true, ..ALL },
        form: Form::None,
    },
    Fixture {
        code: "chase",
        name: "Chase Bank",
        url: "https://www.chase.com",
        features: Features { oauth: true, ..ALL },
        form: Form::None,
    },
    Fixture {
        code: "wells_fargo",
        name: "Wells Fargo",
        url: "https://www.wellsfargo.com",
        features: ALL,
        form: Form::UserPassword,
    },
    Fixture {
        code: "bank_of_america",
        name: "Bank of America",
        url: "https://www.bankofamerica.com",
        features: Features {
            statement: false,
            ..ALL
        },
        form: Form::UserPassword,
    },
    Fixture {
        code: "citibank",
        name: "Citibank",
        url: "https://www.citi.com",
        features: Features {
            identification: false,
            ..ALL
        },
        form: Form::UserPassword,
    },
    Fixture {
        code: "capital_one",
        name: "Capital One",
        url: "https://www.capitalone.com",
        features: Features {
            verification: true,
            ..BASIC
        },
        form: Form::UserPassword,
    },
    Fixture {
        code: "us_bank",
        name: "U.S. Bank",
        url: "https://www.usbank.com",
        features: Features {
            verification: true,
            history: true,
            ..BASIC
        },
        form: Form::UserPasswordPin,
    },
    Fixture {
        code: "pnc",
        name: "PNC Bank",
        url: "https://www.pnc.com",
        features: BASIC,
        form: Form::UserPassword,
    },
    Fixture {
        code: "american_express",
        name: "American Express",
        url: "https://www.americanexpress.com",
        features: Features {
            statement: true,
            ..BASIC
        },
        form: Form::UserPassword,
    },
    Fixture {
        code: "discover",
        name: "Discover",
        url: "https://www.discover.com",
        features: Features {
            statement: true,
            history: true,
            ..BASIC
        },
        form: Form::EmailPassword,
    },
    Fixture {
        code: "usaa",
        name: "USAA",
        url: "https://www.usaa.com",
        features: ALL,
        form: Form::UserPasswordPin,
    },
    Fixture {
        code: "navy_federal",
        name: "Navy Federal Credit Union",
        url: "https://www.navyfederal.org",
        features: Features {
            verification: true,
            identification: true,
            ..BASIC
        },
        form: Form::UserPasswordChoice,
    },
    Fixture {
        code: "ally",
        name: "Ally Bank",
        url: "https://www.ally.com",
        features: Features {
            verification: true,
            statement: true,
            ..BASIC
        },
        form: Form::EmailPassword,
    },
    Fixture {
        code: "vanguard",
        name: "Vanguard",
        url: "https://investor.vanguard.com",
        features: Features {
            statement: true,
            ..BASIC
        },
        form: Form::UserPassword,
    },
];

/// Every institution, in the catalogue's order.
pub fn all() -> impl Iterator<Item = Institution> {
    FIXTURES.iter().map(to_institution)
}

fn to_institution(f: &Fixture) -> Institution {
    Institution {
        code: f.code,
        name: f.name,
        supports_account_identification: f.features.identification,
        supports_account_statement: f.features.statement,
        supports_account_verification: f.features.verification,
        supports_oauth: f.features.oauth,
        supports_transaction_history: f.features.history,
        url: f.url,
    }
}

/// One field of a credential form; its display order is its place in the form.
struct Field {
    guid: &'static str,
    label: &'static str,
    field_name: &'static str,
    kind: &'static str,
    options: &'static [CredentialOption],
}

const fn field(
    guid: &'static str,
    label: &'static str,
    field_name: &'static str,
    kind: &'static str,
) -> Field {
    Field {
        guid,
        label,
        field_name,
        kind,
        options: &[],
    }
}

// The fixed credential GUIDs of the generic forms, one family per field, so that every
// institution's GUIDs are stable from run to run (clients may cache them).
const MXBANK_LOGIN: Field = field(MXBANK_USERNAME, "Username", "LOGIN", "LOGIN");
const MXBANK_SECRET: Field = field(MXBANK_PASSWORD, "Password", "PASSWORD", "PASSWORD");
const USERNAME: Field = field(
    "CRD-1a4c3f2e-5b6d-4e8f-9a0b-1c2d3e4f5a61",
    "Username",
    "LOGIN",
    "LOGIN",
);
const PASSWORD: Field = field(
    "CRD-2b5d4a3f-6c7e-4f9a-8b1c-2d3e4f5a6b72",
    "Password",
    "PASSWORD",
    "PASSWORD",
);
const EMAIL: Field = field(
    "CRD-3c6e5b4a-7d8f-4a0b-9c2d-3e4f5a6b7c83",
    "Email address",
    "login_email",
    "LOGIN",
);
const EMAIL_PASSWORD: Field = field(
    "CRD-4d7f6c5b-8e9a-4b1c-8d3e-4f5a6b7c8d94",
    "Password",
    "login_password",
    "PASSWORD",
);
const PIN: Field = field(
    "CRD-5e8a7d6c-9f0b-4c2d-9e4f-5a6b7c8d9ea5",
    "PIN",
    "PIN",
    "PASSWORD",
);
const ACCOUNT_TYPE: Field = Field {
    options: &[
        CredentialOption {
            label: "Personal",
            value: "personal",
        },
        CredentialOption {
            label: "Business",
            value: "business",
        },
    ],
    ..field(
        "CRD-6f9b8e7d-0a1c-4d3e-8f5a-6b7c8d9eafb6",
        "Account type",
        "ACCOUNT_TYPE",
        "OPTIONS",
    )
};

fn form_credentials(form: Form) -> Vec<Credential> {
    let fields: &[Field] = match form {
        Form::MxBank => &[MXBANK_LOGIN, MXBANK_SECRET],
        Form::UserPassword => &[USERNAME, PASSWORD],
        Form::EmailPassword => &[EMAIL, EMAIL_PASSWORD],
        Form::UserPasswordPin => &[USERNAME, PASSWORD, PIN],
        Form::UserPasswordChoice => &[USERNAME, PASSWORD, ACCOUNT_TYPE],
        Form::None => &[],
    };
    fields
        .iter()
        .zip(1..)
        .map(|(f, display_order)| Credential {
            guid: Cow::Borrowed(f.guid),
            label: f.label,
            field_name: f.field_name,
            kind: f.kind,
            options: f.options.to_vec(),
            display_order,
        })
        .collect()
}

fn find(code: &str) -> Result<&'static Fixture, ApiError> {
    FIXTURES
        .iter()
        .find(|f| f.code == code)
        .ok_or_else(|| ApiError::not_found("institution"))
}

/// The institution with this code, for the other modules (members are created against it).
pub fn institution(code: &str) -> Result<Institution, ApiError> {
    find(code).map(to_institution)
}

/// The credential form of the institution with this code.
pub fn credentials(code: &str) -> Result<Vec<Credential>, ApiError> {
    find(code).map(|f| form_credentials(f.form))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifteen_institutions_with_unique_codes() {
        assert_eq!(FIXTURES.len(), 15);
        let mut codes: Vec<_> = FIXTURES.iter().map(|f| f.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 15);
    }

    #[test]
    fn mxbank_uses_the_example_guids() {
        let creds = credentials("mxbank").unwrap();
        assert_eq!(creds[0].guid, MXBANK_USERNAME);
        assert_eq!(creds[1].guid, MXBANK_PASSWORD);
        assert!(credentials("nope").is_err());
    }

    #[test]
    fn oauth_institutions_have_no_credential_form() {
        for f in FIXTURES {
            let inst = to_institution(f);
            assert_eq!(
                inst.supports_oauth,
                form_credentials(f.form).is_empty(),
                "{}",
                f.code
            );
        }
    }
}
