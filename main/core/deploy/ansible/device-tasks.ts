/**
 * The tasks every device runs in the generated playbook (`edgefleet-device.yml`), the Ansible form of
 * executor.ts's walk: the device lock, preflight, upload, sha256 check, install, atomic switch, restart,
 * health check, confirm + prune, and the switch back when the restart or the health check fails; the lock is
 * released whatever happens. Every remote command is one of remote-scripts.ts's scripts with the plan's own
 * arguments (`edgefleet-vars.yml`, all `!unsafe`: Ansible never templates a path or a script), so the two
 * engines run the same shell code.
 *
 * The manifest travels base64-encoded on the install script's stdin: Ansible turns any templated string that
 * starts with `{` into a dict, which would reach the device as Python's repr, not as the JSON.
 *
 * The text is fixed (no user value is ever pasted into it). Task names start with `edgefleet:<id>`: the
 * results reader (results.ts) finds each step's outcome by that id, so change both together.
 */
export const deviceTasksYaml = String.raw`# EdgeFleet: the tasks of one device (generated; see deploy.yml). Do not edit: the results reader
# (edgefleet deploy --import-results) knows these task names.
- name: "edgefleet:start This device's plan"
  ansible.builtin.set_fact:
    ef: "{{ edgefleet_hosts[inventory_hostname] }}"
    ef_started: true
    ef_ok: false
    ef_locked: false
    ef_unchanged: false
    ef_switched: false
    ef_resumed: false

- name: Deploy, with the switch back on a failed restart or health check
  block:
    - name: "edgefleet:lock Take the device lock"
      ansible.builtin.command:
        argv: "{{ ['sh', '-c', edgefleet_scripts.lock, 'edgefleet'] + ef.lock }}"
      register: ef_lock
      changed_when: false
      failed_when: ef_lock.rc != 0 or (ef_lock.stdout_lines | select('match', '^lock=') | list | length) == 0

    - name: "edgefleet:lock-state What the lock said"
      ansible.builtin.set_fact:
        ef_lock_v: "{{ dict(ef_lock.stdout_lines | select('match', '^[a-z_0-9]+=') | map('regex_search', '^([^=]+)=(.*)$', '\\1', '\\2')) }}"

    - name: "edgefleet:lock-takeover Take over a stale device lock"
      ansible.builtin.command:
        argv: "{{ ['sh', '-c', edgefleet_scripts.lock, 'edgefleet'] + ef.lock_takeover + [ef_lock_v.holder | default('')] }}"
      register: ef_takeover
      changed_when: false
      failed_when: ef_takeover.rc != 0 or 'lock=held' in ef_takeover.stdout_lines
      when: ef_lock_v.lock == 'held' and (ef_lock_v.idle_s | default('0') | int) > edgefleet.lock_stale_s

    - name: "edgefleet:busy Another deployment holds the device"
      ansible.builtin.fail:
        msg: "{{ ef_lock_v }}"
      when: ef_lock_v.lock == 'held' and (ef_lock_v.idle_s | default('0') | int) <= edgefleet.lock_stale_s

    - name: "edgefleet:locked The lock is ours"
      ansible.builtin.set_fact:
        ef_locked: true

    - name: "edgefleet:preflight Directories, write permission, tools, free space, leftovers, the release"
      ansible.builtin.command:
        argv: "{{ ['sh', '-c', edgefleet_scripts.preflight, 'edgefleet'] + ef.preflight }}"
      register: ef_pre
      changed_when: false

    - name: "edgefleet:found What the device has"
      ansible.builtin.set_fact:
        ef_v: "{{ dict(ef_pre.stdout.split('@@manifest@@\n')[0].splitlines() | select('match', '^[a-z_0-9]+=') | map('regex_search', '^([^=]+)=(.*)$', '\\1', '\\2')) }}"
        ef_manifest: {}

    - name: Read the release's manifest
      block:
        - name: "edgefleet:manifest Parse manifest.json"
          ansible.builtin.set_fact:
            ef_manifest: "{{ ef_pre.stdout.split('@@manifest@@\n')[1] | from_json }}"
          when: "'@@manifest@@\n' in ef_pre.stdout"
      rescue:
        - name: "edgefleet:manifest-invalid manifest.json is not JSON: it is rewritten"
          ansible.builtin.set_fact:
            ef_manifest: {}

    - name: "edgefleet:decide Upload, install and switch only what is missing"
      ansible.builtin.set_fact:
        ef_file_there: "{{ ef_v.release_sha256 | default('') == edgefleet.sha256 }}"
        ef_manifest_ok: "{{ ef_v.release_sha256 | default('') == edgefleet.sha256 and (ef_manifest is mapping) and ef_manifest.release | default('') == edgefleet.release and ef_manifest.sha256 | default('') == edgefleet.sha256 and ef_manifest.format | default('') == 'edgefleet-release/1' }}"
        ef_is_current: "{{ ef_v.current | default('') == 'releases/' ~ edgefleet.release }}"
        ef_resume: "{{ ef_v.current | default('') == 'releases/' ~ edgefleet.release and ef_v.pending_switch | default('') == edgefleet.release }}"

    - name: "edgefleet:current-not-link current is a real file or directory"
      ansible.builtin.fail:
        msg: "{{ ef.current_link }} is a real file or directory, not a link. Move it away (it was not made by EdgeFleet), then retry."
      when: ef_v.current_not_link | default('') == '1'

    - name: "edgefleet:disk Free space for the upload"
      ansible.builtin.fail:
        msg: "{{ (ef_v.avail_kb | int) * 1024 }} B free in {{ ef.releases_dir }}, the deploy needs {{ edgefleet.disk_needed }} B (2 x the file + the margin)"
      when: not ef_file_there and (ef_v.avail_kb | default('') is match('^[0-9]+$')) and (ef_v.avail_kb | int) * 1024 < edgefleet.disk_needed

    - name: "edgefleet:unchanged Already runs the release"
      ansible.builtin.set_fact:
        ef_unchanged: "{{ ef_file_there and ef_manifest_ok and ef_is_current and not ef_resume }}"

    - name: Upload, verify, install, switch, restart, check
      when: not ef_unchanged
      block:
        - name: "edgefleet:upload Upload the model to a temporary name"
          ansible.builtin.copy:
            src: "{{ playbook_dir }}/model.onnx"
            dest: "{{ ef.temp_file }}"
            mode: "0644"
          when: not ef_file_there

        - name: "edgefleet:lock-refresh Show progress on the device lock"
          ansible.builtin.command:
            argv: "{{ ['sh', '-c', edgefleet_scripts.lock, 'edgefleet'] + ef.lock_refresh }}"
          changed_when: false
          failed_when: false

        - name: "edgefleet:verify Check the sha256 of the uploaded file on the device"
          ansible.builtin.command:
            argv: "{{ ['sh', '-c', edgefleet_scripts.verify, 'edgefleet'] + ef.verify }}"
          register: ef_verify
          changed_when: false
          when: not ef_file_there

        - name: "edgefleet:install Move the file into the release directory, write manifest.json"
          ansible.builtin.command:
            argv: "{{ ['sh', '-c', 's=$1; shift; base64 -d | sh -c \"$s\" edgefleet \"$@\"', 'edgefleet', edgefleet_scripts.install] + ef.install }}"
            stdin: "{{ edgefleet.manifest_base64 }}"
            stdin_add_newline: false
          register: ef_install
          when: not ef_manifest_ok

        - name: "edgefleet:switch Point current at the release (atomic rename of a new link)"
          ansible.builtin.command:
            argv: "{{ ['sh', '-c', edgefleet_scripts.switch, 'edgefleet'] + ef.switch }}"
          register: ef_switch
          changed_when: "'switched=yes' in ef_switch.stdout_lines"

        - name: "edgefleet:switched What the switch did"
          ansible.builtin.set_fact:
            ef_switched: "{{ 'switched=yes' in ef_switch.stdout_lines }}"
            ef_resumed: "{{ 'switched=yes' not in ef_switch.stdout_lines and ef_resume }}"
            ef_unchanged: "{{ 'switched=yes' not in ef_switch.stdout_lines and not ef_resume and ef_file_there }}"

        - name: "edgefleet:restart Run the device's restart command"
          ansible.builtin.command:
            argv: "{{ ['sh', '-c', ef.restart.script, 'edgefleet'] + ef.restart.args }}"
          register: ef_restart
          timeout: "{{ edgefleet.restart_timeout_s }}"
          when: ef.restart is not none and not ef_unchanged

        - name: "edgefleet:health Run the device's health-check command"
          ansible.builtin.command:
            argv: "{{ ['sh', '-c', ef.health.script, 'edgefleet'] + ef.health.args }}"
          register: ef_health
          changed_when: false
          timeout: "{{ edgefleet.health_timeout_s }}"
          retries: "{{ edgefleet.health_attempts - 1 }}"
          delay: "{{ edgefleet.health_interval_s }}"
          until: ef_health.rc is defined and ef_health.rc == 0
          when: ef.health is not none and not ef_unchanged

        - name: "edgefleet:prune Confirm the switch; keep the most recently active releases"
          ansible.builtin.command:
            argv: "{{ ['sh', '-c', edgefleet_scripts.prune, 'edgefleet'] + ef.prune }}"
          register: ef_prune
          changed_when: "ef_prune.stdout_lines | select('match', '^removed=') | list | length > 0"
          failed_when: false
          when: ef.prune is not none and not ef_unchanged

    - name: "edgefleet:ok The device runs the release"
      ansible.builtin.set_fact:
        ef_ok: true

  rescue:
    - name: "edgefleet:failed Which step failed"
      ansible.builtin.set_fact:
        ef_failed_step: "{{ ansible_failed_task.name.split(' ')[0] }}"

    - name: "edgefleet:undo-switch Switch back to the release that was current before"
      ansible.builtin.command:
        argv: "{{ ['sh', '-c', edgefleet_scripts.undo_switch, 'edgefleet'] + ef.undo_switch }}"
      register: ef_undo
      failed_when: false
      when: ef_failed_step in ['edgefleet:restart', 'edgefleet:health'] and (ef_switched or ef_resumed)

    - name: "edgefleet:restart-again Restart on the release switched back to"
      ansible.builtin.command:
        argv: "{{ ['sh', '-c', ef.restart.script, 'edgefleet'] + ef.restart.args }}"
      register: ef_restart_again
      failed_when: false
      timeout: "{{ edgefleet.restart_timeout_s }}"
      when: ef.restart is not none and ef_undo is not skipped and ef_undo.rc | default(1) == 0

  always:
    - name: "edgefleet:unlock Release the device lock"
      ansible.builtin.command:
        argv: "{{ ['sh', '-c', edgefleet_scripts.lock, 'edgefleet'] + ef.lock_release }}"
      changed_when: false
      failed_when: false
      when: ef_locked
`;
