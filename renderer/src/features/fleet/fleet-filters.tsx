import { Button, CloseButton, Group, Select, TextInput } from '@mantine/core';
import type { Dispatch, RefObject, SetStateAction } from 'react';
import { emptyFilter, isFiltered, type DeviceFilter, type Facets, type StatusFilter } from './device-filter';
import { statusOptions } from './fleet-page-model';

type FleetFiltersProps = {
  filter: DeviceFilter;
  setFilter: Dispatch<SetStateAction<DeviceFilter>>;
  facets: Facets;
  /** The page focuses it on "/". */
  searchInput: RefObject<HTMLInputElement | null>;
};

/** The text filter and the tag, status and profile pickers above the table. */
export function FleetFilters({ filter, setFilter, facets, searchInput }: FleetFiltersProps) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-end">
      <TextInput
        ref={searchInput}
        size="xs"
        flex={1}
        miw={200}
        placeholder="Filter by name, address, tag, OS, notes…   ( / )"
        aria-label="Filter devices"
        value={filter.text}
        onChange={(e) => {
          // Read now: React clears currentTarget once the handler returns, before the updater runs.
          const value = e.currentTarget.value;
          setFilter((f) => ({ ...f, text: value }));
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setFilter((f) => ({ ...f, text: '' }));
        }}
        rightSection={
          filter.text ? (
            <CloseButton
              size="xs"
              aria-label="Clear the text filter"
              onClick={() => setFilter((f) => ({ ...f, text: '' }))}
            />
          ) : undefined
        }
        data-testid="fleet-search"
      />
      <Select
        size="xs"
        w={170}
        placeholder="Any tag"
        aria-label="Filter by tag"
        data={facets.tags}
        searchable
        clearable
        limit={100}
        value={filter.tag}
        onChange={(tag) => setFilter((f) => ({ ...f, tag }))}
        data-testid="fleet-filter-tag"
      />
      <Select
        size="xs"
        w={200}
        placeholder="Any status"
        aria-label="Filter by status"
        data={statusOptions(facets, filter.status)}
        clearable
        value={filter.status}
        onChange={(status) => setFilter((f) => ({ ...f, status: status as StatusFilter | null }))}
        data-testid="fleet-filter-status"
      />
      <Select
        size="xs"
        w={170}
        placeholder="Any profile"
        aria-label="Filter by profile"
        data={facets.profiles}
        searchable
        clearable
        value={filter.profile}
        onChange={(profile) => setFilter((f) => ({ ...f, profile }))}
        data-testid="fleet-filter-profile"
      />
      <Button
        size="xs"
        variant="subtle"
        onClick={() => setFilter(emptyFilter)}
        disabled={!isFiltered(filter)}
        data-testid="fleet-clear-filters"
      >
        Clear filters
      </Button>
    </Group>
  );
}
