//! Reading the export folder: its files, their JSON, and the entries they hold.

use super::*;

// ---------------------------------------------------------------------------------------------
// Files

pub(super) fn invalid(message: impl Into<String>) -> Error {
    Error::new(Code::InvalidExport, message)
}

pub(super) fn check_folder(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(invalid(format!("{} is not a folder of Microsoft Graph JSON files.", path.display()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            Err(invalid(format!("The export folder {} does not exist.", path.display())))
        }
        Err(e) => Err(Error::new(Code::IoError, format!("Cannot read the export folder {}: {e}.", path.display()))),
    }
}

/// The export folder; files are named relative to it, with `/`, as messages show them.
pub(super) struct Export<'a> {
    pub(super) root: &'a Path,
}

impl Export<'_> {
    /// The JSON document of `rel`, or `None` when the file does not exist.
    pub(super) fn read(&self, rel: &str) -> Result<Option<Value>> {
        let full = rel.split('/').fold(self.root.to_path_buf(), |p, part| p.join(part));
        let bytes = match crate::persist::read_regular(&full) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::new(Code::IoError, format!("Cannot read {rel}: {e}.")));
            }
        };
        // Exports saved by Windows tools (PowerShell's Out-File) start with a byte order mark.
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        serde_json::from_slice(text).map(Some).map_err(|e| json_error(rel, &e))
    }

    /// A required file's document.
    pub(super) fn require(&self, rel: &str) -> Result<Value> {
        self.read(rel)?.ok_or_else(|| {
            invalid(format!("{rel} is missing from the export, which needs users.json and groups.json."))
        })
    }

    /// The entries of a collection response; a missing optional file is empty.
    pub(super) fn collection(&self, rel: &str, required: bool) -> Result<Vec<Map<String, Value>>> {
        let doc = if required {
            self.require(rel)?
        } else {
            match self.read(rel)? {
                Some(doc) => doc,
                None => return Ok(Vec::new()),
            }
        };
        let Value::Object(mut obj) = doc else {
            return Err(invalid(format!(
                "{rel} is not a collection response: expected an object with a \"value\" array."
            )));
        };
        if obj.get("@odata.nextLink").is_some_and(|link| !link.is_null()) {
            return Err(invalid(format!(
                "{rel} holds only a first page (it has \"@odata.nextLink\"): export every page into one file."
            )));
        }
        let Some(Value::Array(items)) = obj.remove("value") else {
            return Err(invalid(format!(
                "{rel} is not a collection response: expected an object with a \"value\" array."
            )));
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(entry) => Ok(entry),
                _ => Err(invalid(format!("{rel} is invalid: value[{i}] is not an object."))),
            })
            .collect()
    }
}

pub(super) fn json_error(rel: &str, e: &serde_json::Error) -> Error {
    let (line, column) = (e.line(), e.column());
    // serde_json ends its message with the position, which this message states first.
    let full = e.to_string();
    let suffix = format!(" at line {line} column {column}");
    let what = full.strip_suffix(&suffix).unwrap_or(&full);
    invalid(format!("{rel} is not valid JSON at line {line}, column {column}: {what}."))
}

/// One entry of a file, named in messages by its position until its id is known.
pub(super) struct Entry<'a> {
    pub(super) file: &'a str,
    pub(super) label: String,
    pub(super) obj: &'a Map<String, Value>,
}

impl<'a> Entry<'a> {
    pub(super) fn at(file: &'a str, position: usize, obj: &'a Map<String, Value>) -> Self {
        Entry { file, label: format!("the entry at value[{position}]"), obj }
    }

    /// Names the entry by its id from now on.
    pub(super) fn named(&mut self, noun: &str, id: &str) {
        self.label = format!("{noun} \"{id}\"");
    }

    pub(super) fn error(&self, what: impl Display) -> Error {
        invalid(format!("{} is invalid: {} {what}.", self.file, self.label))
    }

    pub(super) fn wrong_type(&self, prop: &str, expected: &str) -> Error {
        self.error(format_args!("has \"{prop}\" of the wrong type (expected {expected})"))
    }

    /// A property, `None` when missing or null (R-11.2: those take defaults).
    pub(super) fn get(&self, prop: &str) -> Option<&'a Value> {
        self.obj.get(prop).filter(|v| !v.is_null())
    }

    pub(super) fn string(&self, prop: &str) -> Result<Option<&'a str>> {
        match self.get(prop) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(self.wrong_type(prop, "a string")),
        }
    }

    /// An ISO 8601 instant (R-11.2: a missing or null property is none).
    pub(super) fn instant(&self, prop: &str) -> Result<Option<String>> {
        match self.string(prop)? {
            None => Ok(None),
            Some(text) => match crate::model::parse_time(text) {
                Some(_) => Ok(Some(text.trim().to_string())),
                None => Err(self.error(format_args!("has {prop} {text:?}, which is not an ISO 8601 instant"))),
            },
        }
    }

    pub(super) fn required_string(&self, prop: &str) -> Result<&'a str> {
        self.string(prop)?.ok_or_else(|| self.error(format_args!("has no \"{prop}\"")))
    }

    pub(super) fn boolean(&self, prop: &str) -> Result<Option<bool>> {
        match self.get(prop) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.wrong_type(prop, "a boolean")),
        }
    }

    pub(super) fn array(&self, prop: &str) -> Result<&'a [Value]> {
        match self.get(prop) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items.as_slice()),
            Some(_) => Err(self.wrong_type(prop, "an array")),
        }
    }

    pub(super) fn strings(&self, prop: &str) -> Result<Vec<&'a str>> {
        self.array(prop)?
            .iter()
            .map(|v| v.as_str().ok_or_else(|| self.wrong_type(prop, "an array of strings")))
            .collect()
    }

    pub(super) fn object(&self, prop: &str) -> Result<Option<&'a Map<String, Value>>> {
        match self.get(prop) {
            None => Ok(None),
            Some(Value::Object(obj)) => Ok(Some(obj)),
            Some(_) => Err(self.wrong_type(prop, "an object")),
        }
    }

    /// The entry's required `id`, after which messages name the entry by it.
    pub(super) fn id(&mut self, noun: &str) -> Result<&'a str> {
        let id = self.required_string("id")?;
        self.named(noun, id);
        Ok(id)
    }

    /// An id that also names a folder of the export (groups, service principals).
    pub(super) fn folder_id(&mut self, noun: &str) -> Result<&'a str> {
        let id = self.id(noun)?;
        let unsafe_id = id.is_empty() || id == "." || id == ".." || id.contains(['/', '\\', '\0']);
        if unsafe_id {
            return Err(self.error("has an id that cannot name a folder of the export"));
        }
        Ok(id)
    }

    /// Records the entry's id, refusing one an earlier entry of the export has.
    pub(super) fn unique(&self, id: &str, ids: &mut HashSet<String>) -> Result<()> {
        if ids.insert(id.to_string()) {
            Ok(())
        } else {
            Err(self.error("repeats the id of an earlier object of the export"))
        }
    }
}
