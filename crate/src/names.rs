//! Enums whose variants each have one name, spelled once: [`named_enum!`] derives printing,
//! parsing (CLI flags, the page's settings, URL parameters), serde and the list of choices from a
//! single table, so the three can never disagree.

/// Declares a `Copy` enum with one lowercase name (and optional aliases) and a label per variant.
///
/// ```ignore
/// named_enum! {
///     /// The search spaces.
///     pub enum Space: "search space" {
///         Nb201 = "nb201" | "nasbench201" => "NAS-Bench-201 cell",
///         Fbnet = "fbnet" => "FBNet (22 layers)",
///     }
/// }
/// ```
/// Parsing ignores ASCII case; an unknown name is an error that lists the names.
#[macro_export]
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)* => $label:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name that prints, parses and serialises.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// A few words for people (a control's option, a report).
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::Error;
            fn from_str(s: &str) -> $crate::Result<Self> {
                let lower = s.to_ascii_lowercase();
                $(
                    if lower == $text $(|| lower == $alias)* {
                        return Ok($name::$variant);
                    }
                )+
                Err($crate::names::unknown($what, s, &Self::ALL.iter().map(|v| v.name()).collect::<Vec<_>>()))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

/// The error for a name that is none of `names`: "unknown device 'x' (expected a, b or c)".
pub fn unknown(what: &str, given: &str, names: &[&str]) -> crate::Error {
    let expected = match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    crate::invalid!("unknown {what} '{given}' (expected {expected})")
}

#[cfg(test)]
mod tests {
    crate::named_enum! {
        #[derive(Default)]
        pub enum Fruit: "fruit" {
            #[default]
            Apple = "apple" | "pomme" => "An apple",
            BloodOrange = "blood-orange" => "A blood orange",
            Fig = "fig" => "A fig",
        }
    }

    #[test]
    fn names_print_parse_and_serialise_alike() {
        for &f in Fruit::ALL {
            assert_eq!(f.to_string().parse::<Fruit>().unwrap(), f);
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.name()));
            assert_eq!(serde_json::from_str::<Fruit>(&json).unwrap(), f);
        }
        assert_eq!("POMME".parse::<Fruit>().unwrap(), Fruit::Apple);
        assert_eq!(Fruit::default(), Fruit::Apple);
        assert_eq!(Fruit::BloodOrange.label(), "A blood orange");
        let e = "kiwi".parse::<Fruit>().unwrap_err().to_string();
        assert_eq!(e, "unknown fruit 'kiwi' (expected apple, blood-orange or fig)");
        assert!(serde_json::from_str::<Fruit>("\"kiwi\"").is_err());
    }
}
