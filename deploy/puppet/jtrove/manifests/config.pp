# @summary Keys the classes do not model, as raw hashes (puppet-trove's trove::config).
#
# @example
#   class { 'jtrove::config':
#     jtrove_config => { 'DEFAULT/page_size' => { 'value' => '50' } },
#   }
#
# @param jtrove_config
#   jtrove_config resources: { 'SECTION/key' => { 'value' => ..., 'secret' => ... } }.
# @param jtrove_guestagent_config
#   jtrove_guestagent_config resources, the same way.
class jtrove::config (
  Hash $jtrove_config            = {},
  Hash $jtrove_guestagent_config = {},
) {
  include jtrove::deps

  create_resources('jtrove_config', $jtrove_config)
  create_resources('jtrove_guestagent_config', $jtrove_guestagent_config)
}
