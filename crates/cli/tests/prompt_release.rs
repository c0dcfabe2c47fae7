//! `PromptRelease` sets mimalloc's purge delay to zero while it lives and
//! restores it. A test binary of its own: the library's unit tests resolve
//! events, which would change the option under this one.

/// `mi_option_purge_delay`'s place in `mi_option_e` (mimalloc.h).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn delay() -> std::os::raw::c_long {
    // SAFETY: reads an integer option.
    unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }
}

#[test]
fn the_purge_delay_is_zero_while_the_guard_lives_and_restored_after() {
    // The environment can set it (MIMALLOC_PURGE_DELAY or the older
    // MIMALLOC_RESET_DELAY); unset, its default identifies the option:
    // mimalloc v3's purge delay, 1000 ms.
    let from_env = std::env::vars_os().any(|(k, _)| {
        let k = k.to_string_lossy().to_ascii_uppercase();
        k == "MIMALLOC_PURGE_DELAY" || k == "MIMALLOC_RESET_DELAY"
    });
    let before = delay();
    if !from_env {
        assert_eq!(before, 1000);
    }
    {
        let _prompt = sitrep::PromptRelease::start();
        assert_eq!(delay(), 0);
    }
    assert_eq!(delay(), before);
}
