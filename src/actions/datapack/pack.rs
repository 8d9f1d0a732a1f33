//! giftdeck's datapack on disk: `<world>/datapacks/giftdeck/` with `pack.mcmeta` and the
//! triggers' functions, written whole into a new folder and swapped in, so the server never reads
//! half a pack. Unchanged content is not rewritten (and needs no `/reload`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::compile::{Functions, NAMESPACE, files};
use super::version::PackFormat;

/// The pack's description (shown by `/datapack list`).
const DESCRIPTION: &str =
    "giftdeck: TikTok gift batches as one call (generated; giftdeck rewrites this folder)";

/// Largest file read back when comparing (a function file is a few kilobytes).
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug, Error)]
pub enum PackError {
    #[error("the world folder {0} does not exist")]
    NoWorld(String),
    #[error("cannot write giftdeck's datapack in {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// The pack's files: path inside the pack folder (with `/`) → contents.
pub fn pack_files(format: PackFormat, functions: &[Functions]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert("pack.mcmeta".to_owned(), format.mcmeta(DESCRIPTION));
    let folder = format!("data/{NAMESPACE}/{}", format.function_folder());
    for f in functions {
        for (path, text) in files(f) {
            out.insert(format!("{folder}/{path}"), text);
        }
    }
    out
}

/// `<world>/datapacks/giftdeck`.
pub fn pack_dir(world: &Path) -> PathBuf {
    world.join("datapacks").join(NAMESPACE)
}

/// Writes the pack unless it is already there as it should be. Returns whether it changed.
pub fn write_pack(world: &Path, wanted: &BTreeMap<String, String>) -> Result<bool, PackError> {
    if !world.is_dir() {
        return Err(PackError::NoWorld(world.display().to_string()));
    }
    let dir = pack_dir(world);
    if read_tree(&dir).as_ref() == Some(wanted) {
        return Ok(false);
    }
    let parent = world.join("datapacks");
    let err = |path: &Path| {
        let path = path.display().to_string();
        move |source| PackError::Write { path, source }
    };
    std::fs::create_dir_all(&parent).map_err(err(&parent))?;
    let fresh = parent.join(format!(".{NAMESPACE}-new-{}", std::process::id()));
    let old = parent.join(format!(".{NAMESPACE}-old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fresh);
    let _ = std::fs::remove_dir_all(&old);
    for (path, text) in wanted {
        let file = fresh.join(path);
        if let Some(folder) = file.parent() {
            std::fs::create_dir_all(folder).map_err(err(folder))?;
        }
        std::fs::write(&file, text).map_err(err(&file))?;
    }
    if dir.exists() {
        std::fs::rename(&dir, &old).map_err(err(&dir))?;
    }
    if let Err(source) = std::fs::rename(&fresh, &dir) {
        // Put the old pack back rather than leave none.
        let _ = std::fs::rename(&old, &dir);
        let _ = std::fs::remove_dir_all(&fresh);
        return Err(PackError::Write {
            path: dir.display().to_string(),
            source,
        });
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(true)
}

/// The pack as it is on disk (`None` when missing or unreadable: it is rewritten).
pub fn read_tree(dir: &Path) -> Option<BTreeMap<String, String>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) -> Option<()> {
        for entry in std::fs::read_dir(dir).ok()? {
            let entry = entry.ok()?;
            let path = entry.path();
            let kind = entry.file_type().ok()?;
            if kind.is_dir() {
                walk(root, &path, out)?;
            } else {
                if entry.metadata().ok()?.len() > MAX_FILE_BYTES {
                    return None;
                }
                let rel = path.strip_prefix(root).ok()?;
                let rel: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.insert(rel.join("/"), std::fs::read_to_string(&path).ok()?);
            }
        }
        Some(())
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out)?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::datapack::compile::functions_of;
    use crate::mappings::{Action, Mapping};

    fn tnt() -> Functions {
        functions_of(&Mapping::new(
            "Rose",
            vec![Action::Command {
                command: "summon tnt ~ ~ ~".into(),
                repeat: 1,
            }],
        ))
        .unwrap()
    }

    #[test]
    fn writes_once_and_rewrites_only_on_change() {
        let world = tempfile::tempdir().unwrap();
        let wanted = pack_files(PackFormat::new(61, 0), &[tnt()]);
        assert!(write_pack(world.path(), &wanted).unwrap());
        assert_eq!(read_tree(&pack_dir(world.path())).as_ref(), Some(&wanted));
        assert!(
            !write_pack(world.path(), &wanted).unwrap(),
            "unchanged: no rewrite"
        );
        // A stale file (an old trigger) goes with the rewrite.
        std::fs::write(pack_dir(world.path()).join("stale.txt"), "x").unwrap();
        assert!(write_pack(world.path(), &wanted).unwrap());
        assert_eq!(read_tree(&pack_dir(world.path())).as_ref(), Some(&wanted));
        let names: Vec<_> = std::fs::read_dir(world.path().join("datapacks"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["giftdeck"], "no temporary folders left");
        assert!(matches!(
            write_pack(&world.path().join("nope"), &wanted),
            Err(PackError::NoWorld(_))
        ));
    }

    #[test]
    fn the_folder_follows_the_format() {
        let files = pack_files(PackFormat::new(41, 0), &[tnt()]);
        let name = &tnt().name;
        assert!(files.contains_key(&format!("data/giftdeck/functions/{name}.mcfunction")));
        let files = pack_files(PackFormat::new(48, 0), &[tnt()]);
        assert!(files.contains_key(&format!("data/giftdeck/function/{name}/run.mcfunction")));
        assert!(files.contains_key(&format!("data/giftdeck/function/{name}/loop.mcfunction")));
        assert!(files["pack.mcmeta"].contains("\"pack_format\": 48"));
    }
}
