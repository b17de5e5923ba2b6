# frozen_string_literal: true

module PuppetX
  module Jtrove
    # Runs `jtrove manage --config-file FILE SUBCOMMAND ...` (the trove-manage counterpart) as the jtrove user, as
    # jtrove::db::sync does, and reads the tab-separated listings its --tsv options print.
    module Manage
      COMMAND = '/usr/bin/jtrove'

      def self.run(config_file, *args)
        cmd = [COMMAND, 'manage', '--config-file', config_file] + args.map(&:to_s)
        options = { failonfail: true, combine: true, cwd: '/', custom_environment: { 'JTROVE_LOG_LEVEL' => 'WARN' } }
        if Process.uid.zero? && Etc.getpwnam('jtrove')
          options[:uid] = 'jtrove'
          options[:gid] = 'jtrove'
        end
        Puppet::Util::Execution.execute(cmd, options).to_s
      rescue ArgumentError # no jtrove user (not installed yet): run as the caller
        Puppet::Util::Execution.execute(cmd, options.reject { |k, _| [:uid, :gid].include?(k) }).to_s
      end

      # The rows of a `--tsv` listing with exactly `fields` columns; anything else (log lines) is skipped.
      def self.rows(config_file, fields, *args)
        run(config_file, *args, '--tsv').lines.map { |l| l.chomp.split("\t", -1) }.select { |r| r.size == fields }
      end
    end
  end
end
