# giftdeck's words in English: the source catalog. Every other language has exactly these ids
# with the same $placeholders (a unit test checks). Ids: area-what.

## Settings: appearance and the panic button
look-heading = Appearance
look-language = Language
# The OS locale's language in its own name: "Like the system (Deutsch)".
look-language-auto = Like the system ({ $language })
look-theme = Theme
look-theme-system = Like the system
look-theme-light = Light
look-theme-dark = Dark
look-size = Size
look-size-hover = Draws everything bigger, for a high-DPI screen (on top of the system's own scale). Ctrl+Plus and Ctrl+Minus change it too.
panic-heading = Panic button
panic-explained = ⛔ Panic (Ctrl+Shift+K) pauses the queue, throws away what waits, lets go of every key, stops speech and sends these commands to the current server at once. One per line.
panic-cleanup-label = Cleanup commands

## queue
queue-action-queue = Action queue
queue-demo-commands-go-to-a = Demo: commands go to a simulated Minecraft server on this computer.
queue-waiting = Waiting
queue-running-now = Running now
queue-done = Done
queue-failed = Failed
queue-dropped-queue-full = Dropped (queue full)
queue-too-old-not-run = Too old (not run)
queue-paused = ⏸ paused
queue-resume = ▶ Resume
queue-pause = ⏸ Pause
queue-hold-actions-in-the-queue = Hold actions in the queue; gifts keep arriving
queue-clear = 🗑 Clear
queue-throw-away-every-waiting-action = Throw away every waiting action
queue-add-your-server-in-settings = Add your server in ⚙ Settings to run commands.
queue-commands-wait-while-giftdeck-keeps = Commands wait while giftdeck keeps trying.
queue-recent-replies = Recent replies
queue-nothing-has-run-yet = nothing has run yet

## tabs
tabs-panic = ⛔ Panic
tabs-queue-paused = ⏸ queue paused
tabs-queue-waits-for-a-respawn = ⏸ queue waits for a respawn

## connect-bar
connect-bar-giftdeck = giftdeck
connect-bar-tiktok-user = TikTok user:
connect-bar-username-or-live-url = @username or live URL
connect-bar-disconnect = ⏹ Disconnect
connect-bar-connect = 🔌 Connect
connect-bar-connect-to-this-user-s = Connect to this user's live stream
connect-bar-demo = ▶ Demo
connect-bar-practice-stream-a-built-in = Practice stream: a built-in fake TikTok and a demo Minecraft server on this computer. Nothing goes online.

## held
held-run-them-only-when-that = Run them only when that server is current again
held-clear-held = 🗑 Clear held
held-throw-these-actions-away-they = Throw these actions away; they never run anywhere

## totals
totals-this-session = This session
totals-viewers = Viewers
totals-gifts = Gifts
totals-diamonds = Diamonds
totals-likes = Likes
totals-follows = Follows
totals-shares = Shares
totals-subscribers = Subscribers
totals-super-fans = Super Fans
totals-chests = Chests
totals-top-gifters = Top gifters
totals-nobody-yet = nobody yet

## checklist
checklist-set-up-giftdeck = Set up giftdeck
checklist-hide = Hide
checklist-hide-this-checklist-for-good = Hide this checklist for good
checklist-the-demo-is-running-watch = The demo is running: watch its gifts turn into commands below.
checklist-try-the-demo-first = ▶ Try the demo first
checklist-a-practice-stream-and-a = A practice stream and a practice Minecraft server, all on this computer
checklist-done = done

## notices
notices-ok = OK
notices-dismiss = Dismiss
notices-undo = Undo

## world
world-your-player-name = Your player name
world-your-in-game-name-so = Your in-game name, so giftdeck can tell when you die (empty: off)
world-while-you-are-dead = While you are dead
world-minecraft-player = Minecraft player:

## datapack
datapack-world-folder-local-server = World folder (local server)
datapack-not-set = not set
datapack-choose = Choose…
datapack-the-folder-with-level-dat = The folder with level.dat, e.g. your server's world folder: giftdeck writes a datapack there so a ×500 gift is one command
datapack-clear = Clear
datapack-batches = Batches:

## speech-queue
speech-queue-speech = 🔊 Speech
speech-queue-reading-chat-aloud = reading chat aloud
speech-queue-chat-not-read-aloud = chat not read aloud
speech-queue-read-chat-aloud = Read chat aloud…
speech-queue-saying-nothing = Saying nothing
speech-queue-skip = ⏭ Skip
speech-queue-cuts-what-is-being-said = Cuts what is being said; the next one follows
speech-queue-stop-all = ⏹ Stop all
speech-queue-cuts-what-is-being-said-2 = Cuts what is being said and drops everything waiting to be said

## viewers
viewers-the-viewers-ledger-is-off = The viewers' ledger is off or not open yet.
viewers-export-viewers-csv = Export viewers (CSV)…
viewers-one-row-per-viewer-coins = One row per viewer: coins, likes, points, level, first and last seen
viewers-export-streams-csv = Export streams (CSV)…
viewers-one-row-per-stream-gifts = One row per stream: gifts, coins, new followers, top gifters
viewers-nobody-yet = Nobody yet.
viewers-find-a-viewer = Find a viewer
viewers-handle = @handle
viewers-no-viewer-with-that-handle = No viewer with that handle.
viewers-looking = Looking…

## counters
counters-counters = Counters
counters-copy-url = Copy URL
counters-the-counter-s-overlay = The counter's overlay
counters-reset = Reset
counters-back-to-its-start-value = Back to its start value
counters-no-counters-settings-counters = No counters (Settings → counters).
counters-stream-timer = Stream timer
counters-start = Start
counters-resume = Resume
counters-pause = Pause
counters-1-min = −1 min
counters-1-min-2 = +1 min
counters-new-round = New round
counters-the-full-length-on-the = The full length on the clock, running
counters-the-timer-s-overlay = The timer's overlay
counters-remove = Remove:
counters-remove-this-counter-its-overlay = Remove this counter (its overlay shows – then)
counters-new-counter = New counter
counters-e-g-boss-kills = e.g. Boss kills
counters-add = ➕ Add
counters-a-round-s-length-the = A round's length: the time on the clock at a start or a new round
counters-at-zero = At zero
counters-off-a-win-then-the = Off: a win, then the timer stops at 0:00

## counter-actions
counter-actions-counter-e-g-wins = counter, e.g. Wins

## quit
quit-finishing-before-quitting = Finishing before quitting
quit-crediting-open-streaks = Crediting open streaks…
quit-anything-not-run-by-then = Anything not run by then is listed in the log as not run.
quit-quit-now = Quit now

## path-window
path-window-triggers-file-by-path = Triggers file by path
path-window-full-path-of-a-giftdeck = Full path of a giftdeck .json, a Tiktok2Mc actions.mca, or a Tiktok2Mc folder:
path-window-home-me-actions-mca = /home/me/actions.mca
path-window-import = Import
path-window-export = Export
path-window-ends-in-mca-tiktok2mc-format = Ends in .mca → Tiktok2Mc format; otherwise giftdeck JSON

## bedrock
bedrock-commands-go-to-the-game = Commands go to the game over /connect instead of RCON
bedrock-port-on-this-computer = Port on this computer
bedrock-in-the-game-in-a = In the game, in a world with cheats on, open the chat and type:
bedrock-copy = 📋 Copy
bedrock-copy-it-then-paste-it = Copy it, then paste it in the game's chat
bedrock-game = Game:

## local-servers
local-servers-state = State:
local-servers-port-on-127-0-0 = Port on 127.0.0.1
local-servers-game-mods-tts-apps-and = Game mods, TTS apps and bots that connect to TikFinity on ws://127.0.0.1:21213 get giftdeck's events instead
local-servers-stream-deck-scripts-and-bots = Stream Deck, scripts and bots POST to 127.0.0.1; web pages are refused, and every call shows in the feed as EXTERNAL
local-servers-token = Token
local-servers-hidden-on-screen-copy-puts = Hidden on screen; Copy puts the whole token on the clipboard
local-servers-copy-the-token = Copy the token
local-servers-regenerate = 🔄 Regenerate
local-servers-a-new-token-programs-using = A new token: programs using the old one are refused from now on
local-servers-to-fire-a-trigger-from = To fire a trigger from a terminal or a script:
local-servers-copy-command = 📋 Copy command
local-servers-copies-the-line-with-the = Copies the line with the whole token

## read-chat
read-chat-read-chat-aloud = Read chat aloud
read-chat-chat-messages-are-spoken-with = Chat messages are spoken with the system's offline voices
read-chat-voice = Voice
read-chat-try-it = ▶ Try it
read-chat-says-a-sample-message-with = Says a sample message with these settings
read-chat-messages = Messages
read-chat-tts = !tts
read-chat-the-command-itself-is-not = The command itself is not read
read-chat-who = Who
read-chat-say = Say
read-chat-at-most = At most
read-chat-longer-messages-are-cut-at = Longer messages are cut at a word
read-chat-each-viewer = Each viewer
read-chat-0-no-limit = 0: no limit
read-chat-skip = Skip
read-chat-https-www-example-com-are = https://…, www.…, example.com are left out
read-chat-runs-of-more-than = runs of more than
read-chat-emoji = emoji
read-chat-word-filter = Word filter
read-chat-one-word-or-phrase-a = one word or phrase a line
read-chat-a-voice-per-viewer = A voice per viewer
read-chat-speaks-with = speaks with
read-chat-voice-name = voice name
read-chat-remove = Remove
read-chat-add-a-viewer-s-voice = ➕ Add a viewer's voice

## settings-page
settings-page-tiktok-connection = TikTok connection
settings-page-changes-apply-on-the-next = Changes apply on the next Connect.
settings-page-minecraft-bedrock-connect = Minecraft Bedrock (/connect)
settings-page-minecraft-server-rcon = Minecraft server (RCON)
settings-page-needs-enable-rcon-true-rcon = Needs enable-rcon=true, rcon.port and rcon.password in server.properties.
settings-page-with-your-player-name-the = With your player name, the queue waits while you are dead (a deathCount scoreboard objective giftdeck creates, checked once a second).
settings-page-counters-deaths-and-wins-are = Counters (Deaths and Wins are Tiktok2Mc's; the Live page changes their values):
settings-page-obs-websocket-server = OBS (WebSocket server)
settings-page-for-obs-actions-in-obs = For OBS actions. In OBS: Tools > WebSocket Server Settings > Enable WebSocket server; Show Connect Info has the port and password.
settings-page-queue-and-gifts = Queue and gifts
settings-page-keystrokes = Keystrokes
settings-page-filters-and-voice = Filters and voice…
settings-page-tikfinity-events-api = TikFinity events API
settings-page-external-triggers = External triggers
settings-page-sign-server-url = Sign server URL
settings-page-sign-server-api-key = Sign server API key
settings-page-optional = optional
settings-page-kept-in-this-computer-s = Kept in this computer's keyring (in the owner-only settings file when there is none); never written to the log.
settings-page-host = Host
settings-page-port = Port
settings-page-password = Password
settings-page-testing = testing…
settings-page-test-connection = Test connection
settings-page-4455-unless-changed-in-obs = 4455 unless changed in OBS
settings-page-empty-if-authentication-is-off = empty if authentication is off
settings-page-gap-between-actions = Gap between actions
settings-page-skip-actions-older-than = Skip actions older than
settings-page-never-skip = never skip
settings-page-streak-timeout = Streak timeout
settings-page-a-combo-with-no-end = A combo with no end after this long is counted as it stands

## providers-settings
providers-settings-ways-in-tried-in-this = Ways in, tried in this order
providers-settings-when-one-fails-for-example = When one fails (for example the sign server answers errors for everyone), giftdeck carries on through the next, and goes back once the first works again.
providers-settings-up = Up
providers-settings-down = Down
providers-settings-euler-s-websocket-url = Euler's WebSocket URL
providers-settings-your-own-sign-server-url = Your own sign server URL
providers-settings-your-tiktok-session-for-18 = Your TikTok session (for 18+ rooms)
providers-settings-age-restricted-rooms-open-only = Age-restricted rooms open only for a logged-in account. Your session is your TikTok account's key: whoever has it is logged in as you. Paste the sessionid cookie (or the whole cookie line) from tiktok.com in your browser. giftdeck keeps it in this computer's keyring, never in its settings file or logs, and sends it only to TikTok and to the sign server, and only for a room that needs it.
providers-settings-sessionid = sessionid=…
providers-settings-save-in-the-keyring = Save in the keyring
providers-settings-forget = Forget

## speak-editor
speak-editor-system-default = system default
speak-editor-speed = Speed
speak-editor-1-is-normal-2-twice = 1 is normal, 2 twice as fast, 0.5 half
speak-editor-volume = Volume
speak-editor-the-system-s-voice-at = The system's voice at normal speed and full volume.

## keys-editor
keys-editor-move-step-up = Move step up
keys-editor-move-step-down = Move step down
keys-editor-remove-step = Remove step
keys-editor-between-two-keys-actions = Between two keys actions
keys-editor-waiting-per-trigger-at-most = Waiting per trigger, at most
keys-editor-only-when-the-focused-window = Only when the focused window's title contains
keys-editor-any-window = any window
keys-editor-e-g-ctrl-shift-k = e.g. ctrl+shift+k
keys-editor-for = for
keys-editor-clicks = Clicks
keys-editor-positive-scrolls-down-negative-up = Positive scrolls down, negative up

## conditions
conditions-gifts-worth-at-least-this = Gifts worth at least this many diamonds (count × value of one)
conditions-fires-once-for-every-block = Fires once for every block of this many room likes since connecting
conditions-jump = !jump
conditions-keyword = keyword
conditions-a-chat-message-containing-this = A chat message containing this (any case)
conditions-once-per-viewer = once per viewer
conditions-fires-once-per-stream-when = Fires once per stream, when the viewer count first reaches this
conditions-who = Who:
conditions-cooldown = Cooldown:
conditions-at-most-once-per-this = At most once per this many seconds (0 = no cooldown)
conditions-per-viewer = per viewer:
conditions-at-most-once-per-this-2 = At most once per this many seconds for the same viewer (0 = none)
conditions-a-trigger-cooling-down-is = A trigger cooling down is shown as skipped.
conditions-most-diamonds-this-session-so = most diamonds this session so far
conditions-amy-bob = @amy @bob

## actions-window
actions-window-close = ✖ Close
actions-window-close-the-actions-editor = Close the actions editor
actions-window-move-up = Move up
actions-window-add = Add:
actions-window-minecraft-command = Minecraft command
actions-window-sound = Sound
actions-window-webhook = Webhook
actions-window-needs-obs-s-websocket-server = Needs OBS's WebSocket server (Settings > OBS)
actions-window-keys = ⌨ Keys
actions-window-key-combinations-holds-mouse-clicks = Key combinations, holds, mouse clicks and typed text, for any game
actions-window-speak = 🔊 Speak
actions-window-say-a-text-with-the = Say a text with the system's offline voices
actions-window-random-trigger = Random trigger
actions-window-runs-the-actions-of-a = Runs the actions of a random other enabled trigger
actions-window-send-this-command-this-many = Send this command this many times
actions-window-runs-a-random-other-enabled = runs a random other enabled trigger
actions-window-how-long-the-text-shows = How long the text shows on the /text overlay
actions-window-hidden-again-after-this-long = Hidden again after this long (0: stays shown)
actions-window-placeholders-work-viewer-text-is = Placeholders work; viewer text is shown as plain text
actions-window-points = points
actions-window-browse = Browse…

## tabs and the queue
page-live = 📺 Live
page-triggers = 🎁 Triggers
page-overlays = 🖼 Overlays
page-settings = ⚙ Settings
tabs-panic-hover = { $keys }: pause the queue, throw away what waits, let go of every key, stop speech and run your cleanup commands (Settings → Panic button)
tabs-resumes-it = { $keys } resumes it
tabs-pauses-it = { $keys } pauses it
tabs-queue-waiting = queue: { $count } waiting
queue-world-pause = ⏸ { $reason }
queue-rcon-not-set-up = not set up yet
queue-rcon-connecting = connecting…
queue-rcon-connected = connected
queue-rcon-down = not reachable
queue-rcon-waiting-for-game = waiting for the game
queue-minecraft-bedrock = Minecraft (Bedrock):
queue-minecraft-rcon = Minecraft (RCON):
queue-type-connect = Type { $command } in the game's chat (cheats on). Commands wait until it connects.
queue-last-error = Last error: { $action }: { $headline }

## the status bar and the connection line
status-counters = frames { $frames } · gifts decoded { $gifts } · duplicates ignored { $duplicates } · bad frames { $bad }
status-not-shown = · { $rows } feed rows and { $lines } reply lines not shown (UI busy; actions still ran)
status-catching-up = · catching up { $count }
status-not-saved = settings not saved (no config folder)
status-saved-to = saved to { $path }
status-settings-at = settings: { $path }
conn-watching = { $status } · 👀 { $viewers } watching
conn-starting-demo = Starting the demo…
conn-not-connected = Not connected
conn-not-connected-hint = Type a @username and press Connect, or press Demo to try it out.
conn-looking-up = Looking up { $who }…
conn-signing = { $who }: asking the sign server…
conn-connecting = { $who }: connecting…
conn-live = LIVE · { $who } · room { $room }
conn-trying-again = { $headline } Trying again in { $seconds } s
conn-ended = Stream ended ({ $who })
conn-ended-hint = Press Connect when the next stream starts.

## checklist
checklist-1-tiktok-user = 1. TikTok user
checklist-type-your-username-in-the = Type your @username in the box at the top and press Connect while you are live.
checklist-2-minecraft-server = 2. Minecraft server
checklist-connect-your-bedrock-world-type = Connect your Bedrock world: type the line below in the game's chat.
checklist-enter-the-rcon-host-port = Enter the RCON host, port and password from your server.properties, then press Test.
checklist-3-first-trigger = 3. First trigger
checklist-on-the-triggers-page-pick = On the 🎁 Triggers page, pick a gift and the command it runs, then press ▶ Test on its row.

## queue
queue-this-queue-no-server-set = this queue (no server set up)

## held queues, totals, checklist, notices
held-kept = { $count ->
    [one] 1 action kept for { $server }: it runs when you switch back to it.
   *[other] { $count } actions kept for { $server }: they run when you switch back to it.
    }
held-held = { $count ->
    [one] 1 action queued for { $server } is held: it will not run on { $current }.
   *[other] { $count } actions queued for { $server } are held: they will not run on { $current }.
    }
held-next = Next: { $action }
held-keep-for = Keep for { $server }
totals-most-this-session = Most this session: { $count }
totals-gifter-diamonds = { $count } diamonds
checklist-done-count = { $done } of 3 done
notices-settings-warning = ⚠ Settings: { $warning }

## world
world-pause-the-queue = pause the queue
world-keep-running = keep running
world-looking = looking…
world-not-on-the-server-is = not on the server (is the name right?)
world-alive = alive
world-dead = dead

## viewers
viewers-this-stream = This stream
viewers-all-time = All time
viewers-coins = coins
viewers-likes = likes

## counters
counters-waiting-while-you-are-dead = waiting while you are dead
counters-paused = paused
counters-running = running
counters-stopped = stopped
counters-a-win-then-a-new = a win, then a new round
counters-the-timer-stands-still = the timer stands still

## counter-actions
counter-actions-add = add
counter-actions-remove = remove
counter-actions-set-to = set to
counter-actions-add-time = add time
counter-actions-remove-time = remove time
counter-actions-start = start
counter-actions-pause = pause
counter-actions-resume = resume
counter-actions-restart = restart

## bedrock
bedrock-my-world-is-minecraft-bedrock = My world is Minecraft Bedrock Edition (Windows, phone, tablet)

## local-servers
local-servers-serve-tikfinity-s-events-api = Serve TikFinity's events API (for tools written for TikFinity)
local-servers-let-programs-on-this-computer = Let programs on this computer fire triggers (with the token)

## world, speech, viewers, quit, local servers
world-deaths = { $count ->
    [one] {" "}· 1 death this session
   *[other] {" "}· { $count } deaths this session
    }
world-player-line = { $player }: { $state }{ $deaths }
world-cannot-see-player = cannot see your player: { $reason }
speech-saying = Saying: “{ $text }”
speech-waiting = { $count } waiting
speech-counts = said { $said }, cut { $cut }, dropped (queue full) { $dropped }, failed { $failed }
viewers-just-now = just now
viewers-min-ago = { $minutes } min ago
viewers-hours-ago = { $hours } h ago
viewers-days-ago = { $days } days ago
viewers-level-short = lvl { $level }
viewers-card-totals = { $points } points · level { $level } · { $coins } coins
viewers-card-seen = first seen { $ago } · { $streams } streams
viewers-card-last-gift = last gift: { $count } × { $gift } ({ $ago })
quit-still-to-run = { $count ->
    [one] 1 action still to run.
   *[other] { $count } actions still to run.
    }
quit-in = Quitting in { $seconds } s
local-servers-tikfinity-port = Tools connect to ws://127.0.0.1:{ $port }/ (close TikFinity first: both cannot use the same port).

## providers
providers-sign-server = Sign server
providers-euler-s-websocket = Euler's WebSocket
providers-your-own-sign-server = Your own sign server
providers-euler-s-websocket-key = Euler's WebSocket key
providers-its-api-key = Its API key
providers-saved-sessions-are-read-only = Saved sessions are read only when a room needs one.
providers-talking-to-the-keyring = Talking to the keyring…
providers-saved-in-the-keyring = Saved in the keyring.
providers-no-session-saved = No session saved.

## read-chat
read-chat-only-those-starting-with = only those starting with
read-chat-every-message = every message
read-chat-whose-messages-are-read = Whose messages are read
read-chat-links = links

## keys-editor
keys-editor-press-keys = Press keys
keys-editor-hold-keys = Hold keys
keys-editor-wait = Wait
keys-editor-click = Click
keys-editor-type-text = Type text
keys-editor-move-mouse-to = Move mouse to
keys-editor-move-mouse-by = Move mouse by
keys-editor-scroll = Scroll
keys-editor-add-step = ➕ Add step
keys-editor-game-mode-hardware-scancodes = Game mode (hardware scancodes)
keys-editor-step-kind = Step kind
keys-editor-how-long-the-keys-stay = How long the keys stay down
keys-editor-nothing-is-sent-for-this = Nothing is sent for this long
keys-editor-mouse-button = Mouse button

## conditions
conditions-gift = 🎁 Gift
conditions-any-gift = 🎁 Any gift
conditions-gifts-worth = 💎 Gifts worth ≥
conditions-follow = ➕ Follow
conditions-share = ↗ Share
conditions-subscribe = ⭐ Subscribe
conditions-join = 👋 Join
conditions-likes-every = ❤ Likes every
conditions-chat-command = 💬 Chat command
conditions-chat-keyword = 💬 Chat keyword
conditions-viewers = 👀 Viewers ≥
conditions-super-fan = 💜 Super Fan
conditions-treasure-chest = 📦 Treasure chest
conditions-battle = ⚔ Battle
conditions-emote = 😀 Emote
conditions-trigger-kind = Trigger kind
conditions-becomes-one = becomes one
conditions-joins = joins
conditions-box-dropped = box dropped
conditions-super-fan-moment = Super Fan moment
conditions-ends = ends
conditions-starts = starts
conditions-battle-phase = Battle phase
conditions-who-may-fire-it = Who may fire it
conditions-anyone = anyone
conditions-followers = followers
conditions-subscribers = subscribers
conditions-moderators = moderators
conditions-these-handles = these @handles
conditions-the-top-gifter = the top gifter
conditions-fan-club-level = fan club level ≥
conditions-level = level ≥
conditions-points = points ≥

## actions
actions-switch-scene = Switch scene
actions-show-a-source-for-a = Show a source for a while
actions-set-a-text-source-s = Set a text source's text
actions-command = Command
actions-random = Random
actions-overlay-text = Overlay text
actions-obs-scene = OBS scene
actions-obs-show-source = OBS show source
actions-obs-text = OBS text
actions-keys = Keys
actions-speak = Speak
actions-counter = Counter
actions-points = Points
actions-e-g-summon-zombie = e.g. summon zombie ~ ~ ~
actions-subtitle = subtitle
actions-scene-name-as-in-obs = scene name, as in OBS
actions-source-name = source name
actions-in-scene-blank-the-live = in scene (blank: the live one)
actions-text-source-name = text source name
actions-sound-file-wav-ogg-mp3 = sound file (wav, ogg, mp3)

## settings
settings-on-chat-is-read-aloud = On: chat is read aloud.
settings-off = Off.

## editors and settings, with placeholders shown as written
settings-log-files = Log files: { $path }
settings-test-ok = ✔ { $text }
read-chat-template-hint = { "{nickname}" } says { "{message}" }
read-chat-template-hover = { "{nickname}" } and { "{message}" } are filled in
unit-characters = {" "}characters
read-chat-at-most-every = at most once every{" "}
speak-editor-hint = e.g. { "{nickname}" } sent { "{count}" } { "{gift}" }
keys-editor-step = { $mark } step { $number }
keys-editor-problem = ⚠ { $problem }
keys-editor-placeholders = Placeholders ({ "{nickname}" }, { "{message}" }…) work only in “Type text”.
keys-editor-type-hint = e.g. gg { "{nickname}" }
unit-notches = {" "}notches
unit-likes = {" "}likes
unit-viewers = {" "}viewers
conditions-command-hover = A chat message whose first word is this (any case); { "{args}" } is the rest
actions-title-row = Actions of row { $row }
actions-title-trigger = Actions for “{ $trigger }”
actions-explained = Runs top to bottom each time the trigger fires. Commands may use { "{user} {nickname} {count}" }; gifts { "{gift} {diamonds}" }; like rules { "{likes} {total_likes}" }; chat { "{message} {args}" }; subscriptions { "{months}" }; viewer counts { "{viewers}" }; chests { "{diamonds}" }.
actions-title-hint = title, e.g. Thanks { "{nickname}" }!
actions-text-hint = e.g. Thanks { "{nickname}" }!
actions-add-hint = add, e.g. 10*{ "{count}" }
counters-remove-named = ✖ { $name }

## errors in plain words (src/ui/failure.rs)
tiktok-no-internet = No internet connection.
tiktok-no-internet-advice = Check that this computer is online (Wi-Fi or cable), then press Connect again.
tiktok-tiktok-unreachable = TikTok cannot be reached right now.
tiktok-tiktok-unreachable-advice = TikTok or the sign server did not answer. Try again in a minute.
tiktok-user-not-found = There is no TikTok user { $who }.
tiktok-user-not-found-advice = Check the spelling of the @username.
tiktok-not-live = { $who } is not live right now.
tiktok-not-live-advice = Start your LIVE in TikTok first, then press Connect (or press Demo to practise).
tiktok-sign-refused = The sign server refused the API key.
tiktok-sign-refused-advice = Check the API key in ⚙ Settings, or remove it to use the free sign server.
tiktok-rate-limited = Too many attempts: the sign server is rate-limiting.
tiktok-rate-limited-advice = Wait a minute before connecting again, or set your own API key in ⚙ Settings.
tiktok-blocked = TikTok blocked this connection.
tiktok-blocked-advice = Wait a few minutes, or try another network.
tiktok-provider-down = The connection provider is failing right now.
tiktok-provider-down-advice = giftdeck tries the next provider of the chain by itself; add Euler's WebSocket or your own sign server in ⚙ Settings to have one.
tiktok-too-many-connections = Too many connections on the provider account.
tiktok-too-many-connections-advice = Close giftdeck (or other tools) elsewhere that use the same API key.
tiktok-age-restricted = This room is 18+: add your TikTok session in Settings.
tiktok-age-restricted-advice = TikTok shows age-restricted rooms only to a logged-in account: paste your session in ⚙ Settings.
tiktok-protocol = TikTok answered something giftdeck did not expect.
tiktok-protocol-advice = Try again; if it keeps happening, the log file has the details.
rcon-server-down = The Minecraft server at { $address } is not answering.
rcon-server-down-advice = Start the server, and check enable-rcon=true and rcon.port in server.properties.
rcon-unreachable = { $address } cannot be reached.
rcon-unreachable-advice = Check the host: the server's address, or 127.0.0.1 when it runs on this computer.
rcon-no-answer = The Minecraft server at { $address } did not answer in time.
rcon-no-answer-advice = Check the port: it is rcon.port (often 25575), not the game port 25565.
rcon-wrong-password = The Minecraft server refused the password.
rcon-wrong-password-advice = Type the rcon.password from server.properties exactly.
rcon-no-password = No RCON password yet.
rcon-no-password-advice = Type the rcon.password from server.properties.
rcon-connection-lost = The connection to { $address } broke off.
rcon-connection-lost-advice = Check that the port is the RCON port, then test again.
rcon-bad-command = A command could not be sent.
rcon-bad-command-advice = Shorten the command or remove odd characters from it.
outage-is-failing-right = { $name } is failing right now
outage-is-rate-limiting = { $name } is rate-limiting us
outage-refused-the-api = { $name } refused the API key
outage-is-blocked-by = { $name } is blocked by TikTok
outage-has-too-many = { $name } has too many connections on this account
outage-cannot-be-reached = { $name } cannot be reached
outage-does-not-know = { $name } does not know this user
outage-says-the-stream = { $name } says the stream is not live
outage-cannot-open-an = { $name } cannot open an 18+ room without a session
outage-sends-answers-giftdeck = { $name } sends answers giftdeck does not understand
outage-line = { $what } ({ $code }since { $since })
outage-code = code { $code }{" "}
route-instead = { $outages }; connected through { $via } instead
provider-euler-sign = Euler's sign server
provider-sign = the sign server
provider-euler-ws = Euler's WebSocket
provider-custom = your own sign server
bedrock-type-again = Type { $command } in the game's chat again (a world with cheats on).
bedrock-cheats-off = Turn cheats on for this world (Settings > Cheats), then try again.
bedrock-refused = Check the command in the trigger: the game reads Bedrock commands, not Java ones.
bedrock-no-answer = The game may be busy or paused; if it keeps happening, reconnect it.
save-failed = Could not save settings: { $error }
save-failed-short = save failed: { $error }
demo-failed = Demo could not start: { $error }
obs-test-failed = ✖ { $error }
session-not-saved = The session was not saved
session-not-forgotten = The saved session was not forgotten
session-not-a-session = That is not a TikTok session: { $error }.
session-keyring-failed = { $what }: { $error }.
session-task-stopped = { $what }: the keyring task stopped unexpectedly.

## notices the window posts
notice-overlays-off = Overlays are off: { $error }
notice-cannot-open = Cannot open { $url }: { $error }
notice-cleared = { $count ->
    [one] Cleared 1 waiting action.
   *[other] Cleared { $count } waiting actions.
    }
notice-cleared-held = { $count ->
    [one] Cleared 1 action held for { $server }: it never runs.
   *[other] Cleared { $count } actions held for { $server }: they never run.
    }
notice-kept-now = Kept the held actions for { $server }: they run now.
notice-kept-later = Kept the held actions for { $server }: they run when you switch back to it.
notice-import-undone = Import undone.
notice-panic = ⛔ Panic: { $report }. Press ▶ Resume (Ctrl+P) when it is safe again.
notice-imported = { $count ->
    [one] Imported 1 trigger from { $path } (replacing { $replaced }).
   *[other] Imported { $count } triggers from { $path } (replacing { $replaced }).
    }
notice-imported-t2m = { $count ->
    [one] Imported 1 trigger from Tiktok2Mc at { $path } (replacing { $replaced }); { $skipped } line(s) not imported (see the report).
   *[other] Imported { $count } triggers from Tiktok2Mc at { $path } (replacing { $replaced }); { $skipped } line(s) not imported (see the report).
    }
notice-cannot-see-player = Cannot see your Minecraft player ({ $reason }); the queue runs as usual, without waiting out deaths.
notice-bedrock = Bedrock: { $words }
notice-type-username = Type the TikTok @username (or live URL) to connect to.
conn-demo-stream = demo stream
notice-demo-triggers = Added example triggers for the demo; edit or delete them freely.
conn-demo-target = @{ $user } (demo)
notice-counters-start-over = { $problem }; the counters start over.
notice-ledger-off = Points and leaderboards are off: { $error }
notice-tikfinity = TikFinity events API: { $words }
notice-external = External triggers: { $words }
notice-new-token = External triggers: a new token is in use; programs with the old one are refused until given the new one.
notice-external-gone = External call: no enabled trigger is called “{ $trigger }” any more.
notice-exported-rows = Exported { $rows } rows to { $path }.
notice-export-failed = The export failed: { $error }
notice-exported-triggers = Exported the triggers to { $path }.
notice-no-dialog = No file dialog appeared (this desktop may lack xdg-desktop-portal and zenity). Type the path instead.
notice-speech-full = The speech queue is full: Stop all, then try again.
notice-nothing-to-say = Nothing to say with these settings ({ $why }).
notice-test-fired = { $queued ->
    [one] Test: “{ $label }” fired { $fired }× and queued 1 action.
   *[other] Test: “{ $label }” fired { $fired }× and queued { $queued } actions.
    }
notice-test-cooling = Test: “{ $label }” was skipped (cooling down).
notice-test-no-match = Test: “{ $label }” matched no enabled trigger (is the row switched on, and does its audience include anyone?).

## the panic button's report (English keeps "(s)": the log and its tests read the same words)
panic-cleared = queue paused; { $count } waiting action(s) cleared
panic-held = {" "}({ $count } held for another server)
panic-keys = ; every held key let go
panic-speech = ; speech stopped
panic-no-server = ; no cleanup sent (no Minecraft server set up)
panic-no-cleanup = ; no cleanup commands set
panic-sent = ; { $count } cleanup command(s) sent to { $server }

## states in a word, trigger problems, test results
state-off = off
bedrock-connected = connected
bedrock-connected-player = connected ({ $player }'s game)
bedrock-encrypted = , encrypted
bedrock-disconnected = disconnected ({ $reason }): type { $command } again
bedrock-stopped = stopped
local-listening-clients = { $clients ->
    [one] listening on 127.0.0.1:{ $port }, 1 client
   *[other] listening on 127.0.0.1:{ $port }, { $clients } clients
    }
local-listening = listening on 127.0.0.1:{ $port }
saver-no-folder = No settings folder on this system: changes will not be saved.
overlays-off-flag = Overlays are off (--overlay-port 0).
problem-empty-trigger = type a gift name or id
problem-duplicate = duplicate: row { $row } wins
problem-unknown-gift = unknown gift name (typo?)
problem-no-actions = no actions
problem-empty-action = action { $action } is empty
problem-keys = action { $action }: { $why }
obs-test-connected = connected to { $version } at { $address }
rcon-test-connected-reply = connected: { $reply }

## files
files-import-triggers = Import triggers
files-giftdeck-json-or-tiktok2mc-actions = giftdeck JSON or Tiktok2Mc actions.mca
files-all-files = All files
files-import-a-tiktok2mc-folder = Import a Tiktok2Mc folder
files-export-triggers = Export triggers
files-choose-a-sound = Choose a sound
files-choose-your-minecraft-world-folder = Choose your Minecraft world folder (the one with level.dat)

## hover texts kept in consts before
conditions-ledger-how = From the viewer's points in the viewers' ledger before this event (ledger.rates, ledger.levels); the demo and Test count none
actions-points-how = A whole number, a placeholder or a product (10*{ "{count}" }); the viewer's points in the ledger, once per credit, never for the demo or Test
speech-sample = this is how chat will sound

## feed
feed-gift = 🎁 gift
feed-followed = ➕ followed
feed-shared-the-stream = ↗ shared the stream
feed-subscribed = ⭐ subscribed
feed-joined = 👋 joined
feed-likes = ❤ likes
feed-chat = 💬 chat
feed-viewers = 👀 viewers
feed-treasure-chest = 📦 treasure chest
feed-battle = ⚔ battle
feed-emote = 😀 emote
feed-poll = 📊 poll
feed-goal = 🎯 goal
feed-question = ❓ question

## the live feed
feed-likes-group = ❤ +{ $count } likes
feed-joined-group = 👋 +{ $count } joined
feed-gift-number = gift #{ $id }
feed-likes-count = ❤ { $count } likes
feed-watching = 👀 { $count } watching
feed-months = { $count ->
    [one] { $words } · 1 month
   *[other] { $words } · { $count } months
    }
feed-became-super-fan = 💜 became a Super Fan
feed-super-fan-joined = 💜 Super Fan joined
feed-super-fan-box = 💜 Super Fan box
feed-chest = { $words } · { $diamonds } 💎 · { $people } can open it
feed-emotes = { $count ->
    [one] 😀 1 emote
   *[other] 😀 { $count } emotes
    }
feed-pin = { $words }: { $text }
feed-unpinned = 📌 unpinned
feed-pinned = 📌 pinned
feed-battle-started = ⚔ battle started
feed-battle-won = ⚔ battle won by { $name } ({ $scores })
feed-battle-ended = ⚔ battle ended ({ $scores })
feed-poll-title = 📊 poll: { $title }
feed-poll-ended-with = 📊 poll ended: { $option } ({ $votes } votes)
feed-poll-ended = 📊 poll ended

## feed
feed-no-gifts-yet-connect-to = No gifts yet. Connect to a live stream above, or press Demo to see a practice stream.
feed-live-feed = Live feed
feed-filter-by-viewer-or-gift = 🔎 filter by viewer or gift
feed-clear-filter = Clear filter
feed-the-feed-keeps-the-newest = The feed keeps the newest rows; totals still count every gift.
feed-show = Show:
feed-a-moderator-deleted-this-message = A moderator deleted this message. Anything it triggered still ran.
feed-counted-when-the-streak-timed = Counted when the streak timed out: TikTok never sent its end.
feed-external = EXTERNAL
feed-fired-by-another-program-through = Fired by another program through the external trigger endpoint
feed-test = TEST
feed-deleted = deleted
feed-no-mapping = no mapping

## triggers
triggers-no-triggers-yet-press-add = No triggers yet. Press “Add trigger”, or import a mappings file.
triggers-triggers = Triggers
triggers-add-trigger = ➕ Add trigger
triggers-when-a-viewer-sends-this = When a viewer sends this gift (or follows, likes, chats…), run these actions. Edits apply at once and are saved.
triggers-enabled = Enabled
triggers-edit = ✏ Edit
triggers-runs-the-whole-action-list = Runs the whole action list this many times per gift
triggers-copy = Copy
triggers-duplicate-this-row = Duplicate this row
triggers-delete = Delete
triggers-delete-this-row = Delete this row
triggers-how-many-the-test-sends = How many the test sends: gifts, viewers, chat messages, or blocks of likes
triggers-test = ▶ Test
triggers-send-this-event-through-the = Send this event through the engine and queue, as if a viewer sent it
triggers-ok = ✔ ok
triggers-gift-name-or-id = gift name or id

## game
game-subathon-and-goals = Subathon and goals
game-not-saved-the-viewers-ledger = Not saved: the viewers' ledger is off or not open yet.
game-subathon = Subathon
game-stop = Stop
game-time-viewers-add = Time viewers add
game-goals = Goals
game-title-on-the-overlay = title on the overlay
game-target = Target
game-add-a-goal = Add a goal
game-counter-name = counter name

## overlays
overlays-overlays = Overlays
overlays-add-each-url-to-obs = Add each URL to OBS as a Browser source (transparent background).
overlays-browser-sources-or-tabs-showing = Browser sources (or tabs) showing this page right now
overlays-open = Open
overlays-open-in-your-browser = Open in your browser
overlays-copy-the-url = Copy the URL
overlays-events-json = Events (JSON)

## panels
panels-import-json-or-tiktok2mc-mca = Import… (JSON or Tiktok2Mc .mca)
panels-import-a-tiktok2mc-folder = Import a Tiktok2Mc folder…
panels-triggers-like-rules-webhooks-rcon = Triggers, like rules, webhooks, RCON and the TikTok user, with a report
panels-export = Export…
panels-type-a-file-path = Type a file path…
panels-tiktok2mc-import-report = Tiktok2Mc import report

## the feed panel, trigger table, overlays list
feed-shown = { $count } shown
feed-match = { $shown } of { $count } match
feed-oldest-dropped = (oldest dropped; keeping { $count })
feed-grouped = Grouped: one row per few seconds
feed-show-rows = Show these rows
feed-col-time = Time
feed-col-viewer = Viewer
feed-col-what = What
feed-col-count = Count
feed-col-diamonds = Diamonds
feed-col-trigger = Trigger
feed-gift-id = gift id { $id }
feed-each = { $diamonds } each
feed-skipped = ⏸ { $trigger } skipped
feed-nothing-ran = Nothing ran: { $why }
kind-gift = gift
kind-follow = follow
kind-share = share
kind-subscribe = subscribe
kind-join = join
kind-like = like
kind-chat = chat
kind-viewers = viewers
kind-super-fan = Super Fan
kind-treasure-chest = treasure chest
kind-battle = battle
kind-emote = emote
kind-poll = poll
kind-goal = goal
kind-question = question
triggers-col-on = On
triggers-col-trigger = Trigger
triggers-col-actions = Actions
triggers-col-repeat = Repeat
triggers-col-test = Test
triggers-col-check = Check
triggers-problems = { $count ->
    [one] ⚠ 1 problem below
   *[other] ⚠ { $count } problems below
    }
triggers-suggestion = { $name }  ({ $diamonds } diamonds){ $id }
overlays-connected = { $count } connected
overlays-not-connected = not connected
overlays-clients = { $count ->
    [one] 1 client
   *[other] { $count } clients
    }

## overlay pages by name (the Overlays page)
overlay-page-alerts = Alerts
overlay-page-goal = Like goal
overlay-page-top = Top gifters
overlay-page-recent = Recent events
overlay-page-text = Overlay text
overlay-page-counter = Counter
overlay-page-timer = Stream timer
overlay-page-goals = Goals
overlay-page-subathon = Subathon timer
overlay-page-board = Leaderboard
overlay-page-points = !points card
overlay-page-chat = Chat
overlay-page-viewers = Viewer count
overlay-page-spotlight = Gifter spotlight

## game
game-start-with-min = Start with (min)
game-per-coin-s = Per coin (s)
game-per-follow-s = Per follow (s)
game-per-sub-s = Per sub (s)
game-per-share-s = Per share (s)
game-per-like-s = Per like (s)
game-at-most-min-0-none = At most (min, 0 none)

## viewers' games panel
game-not-started = not started
game-paused = { $time } (paused)
game-ended = ended
game-add-minutes = +{ $minutes } min
game-metric-coins = coins
game-metric-likes = likes
game-metric-follows = follows
game-metric-shares = shares
game-metric-subscriptions = subscriptions
game-metric-counter = counter
game-step-reset = then start over
game-step-add = then add
game-step-multiply = then multiply by

## panels
panels-triggers-file = 📁 Triggers file

## the overlay pages' words (after a name: "Alice followed"); hygiene words stay neutral: never
## "gift", "follow" or "like", in any language
overlay-sent = sent
overlay-a-gift = a gift
overlay-hygiene-a-gift = a thank-you
overlay-followed = followed
overlay-hygiene-followed = joined in
overlay-shared = shared the LIVE
overlay-hygiene-shared = spread the word
overlay-subscribed = subscribed
overlay-hygiene-subscribed = joined the club
overlay-super-fan = became a Super Fan
overlay-hygiene-super-fan = joined the inner circle
overlay-chest = dropped a treasure chest
overlay-hygiene-chest = dropped a surprise
overlay-super-fan-box = dropped a Super Fan box
overlay-top-gifters = Top gifters
overlay-hygiene-top = Top supporters
overlay-like-goal = Like goal
overlay-hygiene-goal = Goal
overlay-last-gift = Last gift
overlay-hygiene-last = Last supporter
overlay-top-gifter = Top gifter
overlay-hygiene-top-one = Top supporter
overlay-top-likers = Top likers
overlay-hygiene-top-likes = Top fans
overlay-top-points = Top points
overlay-all-time = all time
overlay-no-gifts = No gifts yet
overlay-hygiene-nothing = Nothing yet
overlay-recent = Recent
overlay-no-goals = No goals set
overlay-subathon = Subathon
overlay-nobody = Nobody yet
overlay-coins = coins
overlay-hygiene-points = points
overlay-likes = likes
overlay-follows = follows
overlay-hygiene-fans = new fans
overlay-shares = shares
overlay-hygiene-shares = shoutouts
overlay-subscriptions = subscriptions
overlay-hygiene-members = members
actions-obs-menu = OBS

## gift-picker
gift-picker-pick-a-gift = Pick a gift
gift-picker-name-or-id = 🔎 name or id
gift-picker-coins = Coins:
gift-picker-make-this-gift-the-row = Make this gift the row's trigger
gift-picker-no-gift-matches-a-gift = No gift matches. A gift id typed in the row's field always works.

## live-goals

## triggers
triggers-pick-a-gift-search-by = Pick a gift: search by name or id, filter by coins

## the gift picker, the Live page's goals, gift pictures, the overlays' hygiene box
gift-picker-count = { $count ->
    [one] 1 gift, cheapest first
   *[other] { $count } gifts, cheapest first
    }
live-goal-coins = Coins goal
live-goal-likes = Likes goal
live-goal-follows = Follows goal
live-goal-shares = Shares goal
live-goal-subscriptions = Subscriptions goal
live-goal-counter = { $name } goal
pictures-coins-each = { $coins } coins each
pictures-none = No picture: { $reason }
pictures-coins = { $coins } coins
overlays-hygiene = Hide gift pictures and words
overlays-hygiene-hover = For streams TikTok might flag: the link gets ?hygiene=1 (no gift pictures, neutral words such as "joined in" for "followed"). Copy it into OBS again after changing this.
file-task-failed = the { $what } task failed: { $error }
file-import-failed = Could not import: { $error }
file-export-failed = Could not export: { $error }
demo-minecraft-failed = cannot start the demo Minecraft server: { $error }
demo-tiktok-failed = cannot start the demo TikTok backend: { $error }
obs-not-set-up = set OBS's host and port first
files-export-ledger = Export the viewers' ledger
look-pictures-kept = Gift pictures kept on disk
look-pictures-kept-hover = At most this much in the OS cache folder; the least recently used pictures go first.
overlays-list-sizes = List sizes
overlays-chat-kept = Chat lines kept
overlays-top-kept = Top gifters kept
overlays-recent-kept = Recent events kept
